// TimescaleDB's two designs for hourly roll-ups: the roll-up table as a hypertable (a chunk per day of hours,
// so retention drops chunks), and raw rows appended to a hypertable with a continuous aggregate per hour,
// which is what its documentation recommends for aggregates over time. Both through openPostgres.
import { rollUp, UNNEST } from './postgres.mjs';

const hypertableBytes = (table) => ({
  bytes: `SELECT hypertable_size('${table}') AS bytes`,
  how: `hypertable_size(${table}): every chunk's heap, indexes and TOAST`,
});

export const rollUpHypertable = {
  ...rollUp,
  design: 'roll-up hypertable (chunks of 24 hours): INSERT … ON CONFLICT DO UPDATE',
  setup: [...rollUp.setup, "SELECT create_hypertable('flows', by_range('hour', 24))"],
  storage: { ...rollUp.storage, ...hypertableBytes('flows') },
};

/**
 * Each flush appended as rows (its keys summed, as every store gets them), the hour's totals from a
 * continuous aggregate. Real-time aggregation (materialized_only = false) adds what the last refresh has not
 * materialized, so reads are exact at any moment; the bench refreshes it once before reading, as a refresh
 * policy would. The aggregate indexes each group-by column with the bucket (create_group_indexes).
 */
export const rawWithAggregate = {
  design: 'raw rows in a hypertable (chunks of 1 day) + continuous aggregate per hour',
  setup: [
    `CREATE TABLE flow_records (time timestamptz NOT NULL, src_app text NOT NULL, dest_app text NOT NULL,
       vpc_id text NOT NULL, bytes_tx bigint NOT NULL, bytes_rx bigint NOT NULL)`,
    "SELECT create_hypertable('flow_records', by_range('time', INTERVAL '1 day'))",
    `CREATE MATERIALIZED VIEW flows_hourly WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
       SELECT time_bucket(INTERVAL '1 hour', time) AS bucket, src_app, dest_app, vpc_id,
         sum(bytes_tx) AS bytes_tx, sum(bytes_rx) AS bytes_rx
       FROM flow_records GROUP BY bucket, src_app, dest_app, vpc_id WITH NO DATA`,
  ],
  write: `INSERT INTO flow_records (time, src_app, dest_app, vpc_id, bytes_tx, bytes_rx)
          SELECT to_timestamp(h::bigint * 3600), s, d, v, tx, rx FROM ${UNNEST} AS u(h, s, d, v, tx, rx)`,
  beforeReads: "CALL refresh_continuous_aggregate('flows_hourly', NULL, NULL)",
  hour: `SELECT src_app, dest_app, vpc_id, bytes_tx, bytes_rx FROM flows_hourly
         WHERE bucket = to_timestamp($1::bigint * 3600) ORDER BY src_app, dest_app, vpc_id`,
  top: `SELECT src_app, SUM(bytes_tx) AS bytes_tx, SUM(bytes_rx) AS bytes_rx FROM flows_hourly
        WHERE bucket BETWEEN to_timestamp($1::bigint * 3600) AND to_timestamp($2::bigint * 3600)
        GROUP BY src_app ORDER BY SUM(bytes_tx) + SUM(bytes_rx) DESC, src_app LIMIT $3`,
  dest: `SELECT dest_app, SUM(bytes_tx) AS bytes_tx, SUM(bytes_rx) AS bytes_rx FROM flows_hourly
         WHERE src_app = $1 AND bucket BETWEEN to_timestamp($2::bigint * 3600) AND to_timestamp($3::bigint * 3600)
         GROUP BY dest_app ORDER BY SUM(bytes_tx) + SUM(bytes_rx) DESC, dest_app`,
  storage: {
    bytes: `SELECT hypertable_size('flow_records') + (
              SELECT hypertable_size(format('%I.%I', materialization_hypertable_schema, materialization_hypertable_name)::regclass)
              FROM timescaledb_information.continuous_aggregates
              WHERE view_name = 'flows_hourly' AND view_schema = current_schema()) AS bytes`,
    how: 'hypertable_size of the raw hypertable and of the aggregate\'s materialization hypertable',
    stored: 'SELECT count(*) AS n FROM flow_records',
    unit: 'raw rows',
  },
};
