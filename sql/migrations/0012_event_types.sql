-- The event types were a CHECK list every migration that added one had to restate
-- whole (0003, 0007, 0009). They become rows: a new type is one insert, and a DBA
-- can list them (select * from event_types).
create table event_types (
    event_type text primary key check (event_type ~ '^[A-Z][A-Z0-9_]*$')
);
insert into event_types (event_type)
select unnest(array[
    'STARTER_PACK_CREATED', 'BACKTEST_QUEUED', 'BACKTEST_STARTED', 'BACKTEST_COMPLETED', 'BACKTEST_FAILED',
    'AUTONOMY_SCORE_UPDATED', 'AUTONOMY_TIER_CHANGED', 'PROMOTED', 'DEMOTED', 'GRADUATED',
    'EVOLVED_GENERATION_CREATED', 'AUTONOMY_GATE_BLOCKED', 'KILL_TRIGGERED', 'METRICS_RESET',
    'STAGES_REVERTED', 'CIRCUIT_OPENED', 'CIRCUIT_CLOSED', 'IMPROVE_QUEUED', 'IMPROVE_COMPLETED',
    'EVOLVE_QUEUED', 'JOB_FAILED', 'JOB_CANCELLED', 'WORKER_STARTED', 'WORKER_STOPPED',
    'PROMOTION_RECOMMENDED', 'AUTONOMY_LOOP_TOGGLED', 'EVOLUTION_ACCEPTED', 'EVOLUTION_REJECTED',
    'ROSTER_KEPT', 'ROSTER_WATCH', 'ROSTER_DISABLED', 'ROSTER_REENABLED']);
alter table activity_events drop constraint activity_events_event_type_check;
alter table activity_events add constraint activity_events_event_type_fkey
    foreign key (event_type) references event_types (event_type);
