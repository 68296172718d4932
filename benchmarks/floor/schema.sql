-- The floor's one table: a jsonb body, a patient-id index (ordered by time for the last-50 read)
-- and a time index, like any event table a real service would keep.
DROP TABLE IF EXISTS bench_floor_event;
CREATE TABLE bench_floor_event (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    patient_id uuid NOT NULL,
    recorded_at timestamptz NOT NULL,
    body jsonb NOT NULL
);
