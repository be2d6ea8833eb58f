import type { ConnectorService } from '../connectors/connector.service.js';
import type { ChartDataSource, ChartSource, QueryResult } from './chart-data-source.js';

/**
 * Charts' rows through the connectors, the one read-only, capped, timed-out way oxy reaches user
 * data: a saved query of the chart's project, or the chart's own SQL on one of its databases.
 */
export class ConnectorChartData implements ChartDataSource {
  constructor(private readonly connectors: ConnectorService) {}

  run(projectId: string, source: ChartSource, limit: number): Promise<QueryResult> {
    return 'sql' in source
      ? this.connectors.runInProject(projectId, source.database, source.sql, limit)
      : this.connectors.runSavedQuery(source.query_id, limit, projectId);
  }
}
