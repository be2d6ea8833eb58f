import { ValidationError } from '../../errors.js';
import type { EntityRepository, RowValues } from '../../repositories/entity.repository.js';
import { checkChartSpec, type ChartSpec } from './chart-spec.js';

/**
 * The rule for writing a chart: a given spec must be valid (a 400 naming the field), and a
 * `source.query_id` must name a saved query of the chart's project. A query of another project
 * or workspace gets the same answer as one that does not exist, so nothing leaks.
 */
export async function prepareChartWrite(
  input: RowValues,
  current: RowValues | undefined,
  repo: EntityRepository,
): Promise<RowValues> {
  if (!('spec' in input) && !('project_id' in input)) return input;
  let spec: ChartSpec;
  if ('spec' in input) spec = checkChartSpec(input.spec);
  else {
    try {
      spec = checkChartSpec(current?.spec);
    } catch {
      return input; // a stored spec written before specs were checked: the next spec written is checked
    }
  }
  const queryId = spec.source.query_id;
  const projectId = input.project_id ?? current?.project_id;
  if (queryId !== undefined) {
    const query = await repo.find('queries', queryId);
    if (!query || typeof projectId !== 'string' || query.project_id !== projectId.toLowerCase()) {
      const message = `refers to queries ${queryId}, which does not exist in the chart's project`;
      throw new ValidationError(`spec.source.query_id ${message}`, [{ field: 'spec.source.query_id', message }]);
    }
  }
  return 'spec' in input ? { ...input, spec } : input;
}
