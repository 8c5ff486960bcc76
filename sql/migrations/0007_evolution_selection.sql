-- Evolution that selects (docs/autonomy.md, "Evolution"): an evolved child is a
-- CANDIDATE until its baseline, on the parent's evaluation window, is compared with
-- the parent's evidence; then it is ACTIVE (the parent SUPERSEDED) or REJECTED (the
-- parent stays ACTIVE). Every candidate is a trial of its lineage.

alter table bots drop constraint bots_status_check;
alter table bots add constraint bots_status_check
    check (status in ('ACTIVE', 'CANDIDATE', 'REJECTED', 'SUPERSEDED', 'KILLED'));

-- The lineage a bot belongs to: its root (the starter or hand-made bot it descends
-- from); null on a root itself, so lineage_root(b) = coalesce(root_bot_id, id).
alter table bots add column root_bot_id uuid references bots (id);
with recursive tree as (
    select id, id as root from bots where parent_bot_id is null
    union all
    select b.id, t.root from bots b join tree t on b.parent_bot_id = t.id
)
update bots b set root_bot_id = t.root from tree t where t.id = b.id and t.root <> b.id;
create index bots_root on bots (root_bot_id) where root_bot_id is not null;
alter table bots add constraint bots_root_with_parent check ((parent_bot_id is null) = (root_bot_id is null));

-- One row per evolved candidate: what it is compared with, and the verdict.
create table evolution_selections (
    candidate_bot_id     uuid primary key references bots (id),
    parent_bot_id        uuid not null references bots (id),
    root_bot_id          uuid not null references bots (id),
    evolve_job_id        uuid references bot_jobs (id),
    -- The parent's evidence at mutation time: the child's baseline runs on its window.
    parent_session_id    uuid references backtest_sessions (id),
    candidate_session_id uuid references backtest_sessions (id),
    step_scale           double precision not null check (step_scale > 0),
    decision             text check (decision in ('ACCEPTED', 'REJECTED')),
    reason_code          text check (reason_code ~ '^[A-Z][A-Z0-9_]*$'),
    -- Both sides' evidence and the margin, as the verdict saw them.
    comparison           jsonb not null default '{}' check (jsonb_typeof(comparison) = 'object'),
    -- The candidate's life: from its mutation's start to the verdict.
    started_at           timestamptz not null default now(),
    decided_at           timestamptz,
    constraint evolution_selections_decided check ((decision is null) = (decided_at is null)
                                                   and (decision is null) = (reason_code is null))
);
create index evolution_selections_parent on evolution_selections (parent_bot_id, started_at desc);
create index evolution_selections_root on evolution_selections (root_bot_id, started_at desc);

-- Evolutions from before this migration were accepted without a comparison.
insert into evolution_selections (candidate_bot_id, parent_bot_id, root_bot_id, step_scale, decision, reason_code,
                                  comparison, started_at, decided_at)
select b.id, b.parent_bot_id, b.root_bot_id, 1, 'ACCEPTED', 'UNJUDGED_LEGACY',
       jsonb_build_object('note', 'evolved before selection existed: superseded its parent without a comparison'),
       b.created_at, b.created_at
  from bots b where b.origin = 'EVOLVED' and b.parent_bot_id is not null and b.root_bot_id is not null;

alter table activity_events drop constraint activity_events_event_type_check;
alter table activity_events add constraint activity_events_event_type_check check (event_type in (
    'STARTER_PACK_CREATED', 'BACKTEST_QUEUED', 'BACKTEST_STARTED', 'BACKTEST_COMPLETED', 'BACKTEST_FAILED',
    'AUTONOMY_SCORE_UPDATED', 'AUTONOMY_TIER_CHANGED', 'PROMOTED', 'DEMOTED', 'GRADUATED',
    'EVOLVED_GENERATION_CREATED', 'AUTONOMY_GATE_BLOCKED', 'KILL_TRIGGERED', 'METRICS_RESET',
    'STAGES_REVERTED', 'CIRCUIT_OPENED', 'CIRCUIT_CLOSED', 'IMPROVE_QUEUED', 'IMPROVE_COMPLETED',
    'EVOLVE_QUEUED', 'JOB_FAILED', 'JOB_CANCELLED', 'WORKER_STARTED', 'WORKER_STOPPED',
    'PROMOTION_RECOMMENDED', 'AUTONOMY_LOOP_TOGGLED', 'EVOLUTION_ACCEPTED', 'EVOLUTION_REJECTED'));

insert into settings (key, value, description, kind, default_value, min_value, max_value, allowed, nullable) values
    ('evolve_min_interval_minutes', '30', 'at most one evolution per lineage in this many minutes (EVOLVE_COOLDOWN)',
     'integer', '30', 0, 10080, null, false),
    ('evolve_candidates_per_lineage', '2', 'candidates awaiting their verdict per lineage at most (CANDIDATE_PENDING)',
     'integer', '2', 1, 20, null, false),
    ('evolve_accept_dsr_margin', '0.05', 'a child is accepted when its deflated Sharpe beats the parent''s by at least this much (and its expectancy is not below the parent''s interval)',
     'number', '0.05', 0, 1, null, false),
    ('evolve_step_grow', '1.25', 'mutation step multiplier per rejected candidate of the lineage (explore when stuck)',
     'number', '1.25', 1, 4, null, false),
    ('evolve_step_shrink', '0.8', 'mutation step multiplier per accepted candidate of the lineage (refine when improving)',
     'number', '0.8', 0.1, 1, null, false);

-- Candidates are not part of the fleet the cap counts.
update settings set description = 'ACTIVE bots at most; EVOLVE is skipped at the cap (POPULATION_CAP); candidates do not count'
 where key = 'population_cap';

-- claim_jobs returns the EVOLVE step scale and the lineage's tried params (a new column).
drop function if exists claim_jobs(text, text[], int);
