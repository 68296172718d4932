-- Built after the COPY: one index build is much faster than maintaining it row by row.
CREATE INDEX bench_floor_event_patient ON bench_floor_event (patient_id, recorded_at DESC);
CREATE INDEX bench_floor_event_time ON bench_floor_event (recorded_at);
ANALYZE bench_floor_event;
