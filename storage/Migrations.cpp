#include "storage/Migrations.h"

namespace iris::storage
{
const std::vector<Migration>& migrations()
{
  static const std::vector<Migration> all = {
      {1, R"sql(
        CREATE TABLE properties (
          name  TEXT PRIMARY KEY,
          value TEXT NOT NULL
        );
      )sql"},
      // Times are Unix epoch milliseconds. JSON columns hold documents the plugin validates
      // before writing; SQLite only stores them.
      {2, R"sql(
        CREATE TABLE tasks (
          id         TEXT PRIMARY KEY,
          definition TEXT NOT NULL,
          origin     TEXT NOT NULL CHECK (origin IN ('api', 'configuration')),
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        );
        CREATE TABLE reference_contexts (
          id           INTEGER PRIMARY KEY,
          task_id      TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
          image_source TEXT NOT NULL,
          label_source TEXT NOT NULL,
          class_map    TEXT NOT NULL,
          created_at   INTEGER NOT NULL
        );
        CREATE INDEX reference_contexts_task ON reference_contexts(task_id);
        CREATE TABLE reference_embeddings (
          reference_id          INTEGER NOT NULL REFERENCES reference_contexts(id) ON DELETE CASCADE,
          model_id              TEXT NOT NULL,
          preprocessing_version INTEGER NOT NULL,
          data                  BLOB NOT NULL,
          created_at            INTEGER NOT NULL,
          PRIMARY KEY (reference_id, model_id, preprocessing_version)
        );
        CREATE TABLE memory_bank (
          model_id   TEXT NOT NULL,
          class_name TEXT NOT NULL,
          data       BLOB NOT NULL,
          updated_at INTEGER NOT NULL,
          PRIMARY KEY (model_id, class_name)
        );
        CREATE TABLE jobs (
          id               INTEGER PRIMARY KEY,
          series_id        TEXT NOT NULL,
          task_id          TEXT NOT NULL REFERENCES tasks(id),
          model_id         TEXT NOT NULL,
          generation       INTEGER NOT NULL DEFAULT 0,
          state            TEXT NOT NULL
                           CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
          priority         INTEGER NOT NULL DEFAULT 0,
          attempts         INTEGER NOT NULL DEFAULT 0,
          max_attempts     INTEGER NOT NULL,
          run_after        INTEGER NOT NULL,
          seg_series_uid   TEXT,
          seg_instance_uid TEXT,
          error            TEXT,
          created_at       INTEGER NOT NULL,
          updated_at       INTEGER NOT NULL,
          started_at       INTEGER,
          finished_at      INTEGER,
          UNIQUE (series_id, task_id, model_id, generation)
        );
        CREATE INDEX jobs_claim ON jobs(state, priority DESC, id);
        CREATE INDEX jobs_series ON jobs(series_id);
        CREATE TABLE results (
          id               INTEGER PRIMARY KEY,
          job_id           INTEGER NOT NULL UNIQUE REFERENCES jobs(id) ON DELETE CASCADE,
          source_series    TEXT NOT NULL,
          seg_instance_id  TEXT NOT NULL,
          seg_series_uid   TEXT NOT NULL,
          task_id          TEXT NOT NULL,
          model_id         TEXT NOT NULL,
          timings          TEXT NOT NULL,
          created_at       INTEGER NOT NULL
        );
        CREATE INDEX results_series ON results(source_series);
      )sql"},
      // A manual run may ask for another strategy than its task's; NULL means the task's.
      {3, R"sql(
        ALTER TABLE jobs ADD COLUMN strategy TEXT;
      )sql"},
      // Running totals for the metrics, which must never fall: deleting a task deletes its
      // results. Seeded from the results an older database holds.
      {4, R"sql(
        INSERT INTO properties (name, value)
          SELECT 'metrics.segs_written', COUNT(*) FROM results;
        INSERT INTO properties (name, value)
          SELECT 'metrics.inference_seconds',
                 COALESCE(SUM(json_extract(timings, '$.segment')), 0) FROM results;
      )sql"},
  };
  return all;
}

int latestSchemaVersion()
{
  return migrations().back().version;
}
} // namespace iris::storage
