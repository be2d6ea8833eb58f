import { NotFoundError } from '../../errors.js';
import type { EntityRepository } from '../../repositories/entity.repository.js';
import type { ConnectorService } from '../connectors/connector.service.js';
import type { ChartDataSource, ChartSource, QueryResult } from './chart-data-source.js';

/**
 * Charts' rows through the connectors, the one read-only, capped, timed-out way oxy reaches user
 * data: a saved query of the chart's project, or the chart's own SQL on one of its databases.
 */
export class ConnectorChartData implements ChartDataSource {
  constructor(
    private readonly repo: EntityRepository,
    private readonly connectors: ConnectorService,
  ) {}

  async run(projectId: string, source: ChartSource, limit: number): Promise<QueryResult> {
    if ('sql' in source) return this.connectors.runInProject(projectId, source.database, source.sql, limit);
    const query = await this.repo.find('queries', source.query_id);
    // A query of another project is as missing as one that does not exist.
    if (!query || query.project_id !== projectId) throw new NotFoundError(`query ${source.query_id} not found`);
    return this.connectors.runSavedQuery(source.query_id, limit);
  }
}
