-- Evolution that selects: a candidate is judged against its parent on the parent's
-- window (select_evolution) — accepted when its deflated Sharpe beats the parent's
-- by the margin and its expectancy is not below the parent's interval, rejected
-- otherwise — and every candidate is a trial of its lineage. record_evolution's
-- refusals (duplicate params, the per-lineage candidate cap) write nothing. The
-- planner's EVOLVE_COOLDOWN and CANDIDATE_PENDING are 008's.
begin;
select plan(43);

truncate bot_jobs, job_run_events, backtest_sessions, trade_logs, activity_events, integration_usage_events,
         worker_heartbeats, bots, archetypes, instruments cascade;
update settings set value = '60' where key = 'population_cap';
update settings set value = '0.05' where key = 'evolve_accept_dsr_margin';

select seed_starter_pack(
    '[{"symbol":"MNQ","name":"Micro E-mini Nasdaq-100","tick_size":0.25,"multiplier":2,"currency":"USD","commission_per_side":0.57,"exchange":"CME","kind":"future"}]',
    '[{"slug":"e1","name":"Evolver","family":"opening_range","instrument":"MNQ","timeframe":"5m","default_params":{"n":1,"k":5},"param_bounds":{},"params_hash":"h1"}]',
    false);

create function pg_temp.bot(p_name text) returns uuid language sql as $$ select id from bots where name = p_name $$;
create function pg_temp.root() returns uuid language sql as $$ select pg_temp.bot('Evolver') $$;
-- A completed walk-forward session of the bot with this deflated Sharpe and expectancy.
create function pg_temp.evidence(p_bot uuid, p_dsr float8, p_expectancy float8 default 2.5, p_hash text default null)
returns uuid language sql as $$
    insert into backtest_sessions (bot_id, status, instrument, tick_size, contract_multiplier, timeframe, window_from,
        window_to, bars_tested, data_source, params_hash, trades_count, realized_pnl, sharpe, expectancy,
        expectancy_ci_low, expectancy_ci_high, deflated_sharpe, trials, started_at, completed_at, trace_id)
    select b.id, 'COMPLETED', b.instrument, 0.25, 2, '5m', '2026-06-01T22:00:00Z', '2026-11-20T22:00:00Z', 30000,
           'synthetic', coalesce(p_hash, b.params_hash), 40, 100, 0.5, p_expectancy, 1.0, 6, p_dsr, 1,
           now() - interval '2 minutes', now() - interval '1 minute', gen_random_uuid()
      from bots b where b.id = p_bot
    returning id $$;
-- Runs an EVOLVE of p_parent to completion with params {"n": p_n}; returns the candidate's id.
create function pg_temp.evolve(p_parent uuid, p_n int) returns uuid language plpgsql as $$
declare v_job uuid;
begin
    -- Older evolutions started earlier (inside one transaction now() never moves).
    update evolution_selections set started_at = started_at - interval '1 minute';
    select job_id into v_job from enqueue_job(p_parent, 'EVOLVE');
    perform claim_jobs('w1', array['EVOLVE'], 1);
    return (complete_leased_job(v_job, 'w1', 1,
        jsonb_build_object('params', jsonb_build_object('n', p_n, 'k', 5), 'params_hash', 'h-n' || p_n,
                           'mutation', jsonb_build_object('n', jsonb_build_object('from', 1, 'to', p_n)),
                           'seed', 'ab', 'step_scale', evolve_step_scale(p_parent))) ->> 'new_bot_id')::uuid;
end $$;
create function pg_temp.verdict(p_child uuid, p_dsr float8, p_expectancy float8 default 2.5) returns text language sql as $$
    select (select_evolution(p_child, pg_temp.evidence(p_child, p_dsr, p_expectancy)) ->> 'reason_code') $$;
create function pg_temp.status(p_bot uuid) returns text language sql as $$ select status from bots where id = p_bot $$;

-- The parent's evidence: DSR 0.40, expectancy interval 1.0 … 6.
select pg_temp.evidence(pg_temp.root(), 0.40);
select is(lineage_trials(pg_temp.root()), 1, 'a lone root: one configuration tried');

-- ---------------------------------------------------------------- worse, equal, better
create temp table c as select pg_temp.evolve(pg_temp.root(), 2) as worse;
select is(pg_temp.status((select worse from c)), 'CANDIDATE', 'an evolved child starts as a CANDIDATE');
select is((select state from bot_now where bot_id = (select worse from c)), 'EVOLVING', 'the candidate shows Evolving');
select is((select state from bot_now where bot_id = pg_temp.root()), 'EVOLVING', 'and so does its parent');
select is(pg_temp.verdict((select worse from c), 0.30), 'DSR_NOT_BETTER', 'a worse child is rejected (DSR_NOT_BETTER)');
select is(pg_temp.status((select worse from c)), 'REJECTED', 'the child is REJECTED');
select is(pg_temp.status(pg_temp.root()), 'ACTIVE', 'the parent stays ACTIVE');
select results_eq($$select state, label, reason_code from bot_now where bot_id = pg_temp.root()$$,
                  $$values ('EVOLUTION_REJECTED', 'Evolution rejected', 'DSR_NOT_BETTER')$$,
                  'the parent''s badge persists with the outcome');
select is(lineage_trials(pg_temp.root()), 2, 'the rejected child is a trial of the lineage');
select results_eq(
    $$select payload ->> 'reason_code', (payload #>> '{parent,deflated_sharpe}')::float8, (payload #>> '{child,deflated_sharpe}')::float8,
             (payload ->> 'margin')::float8 from activity_events where event_type = 'EVOLUTION_REJECTED'$$,
    $$values ('DSR_NOT_BETTER', 0.40::float8, 0.30::float8, 0.05::float8)$$,
    'EVOLUTION_REJECTED carries both sides'' evidence and the margin');

update settings set value = '0' where key = 'evolve_min_interval_minutes';
create temp table c2 as select pg_temp.evolve(pg_temp.root(), 3) as equal;
select is(pg_temp.verdict((select equal from c2), 0.40), 'DSR_NOT_BETTER', 'an equal child is rejected');

create temp table c3 as select pg_temp.evolve(pg_temp.root(), 4) as below;
select is(pg_temp.verdict((select below from c3), 0.449999), 'DSR_NOT_BETTER', 'just under the margin: rejected');
create temp table c4 as select pg_temp.evolve(pg_temp.root(), 5) as cheap;
select is(pg_temp.verdict((select cheap from c4), 0.90, 0.5), 'EXPECTANCY_WORSE',
          'a better DSR with expectancy below the parent''s interval (0.5 < 1.0): rejected');
select is(lineage_trials(pg_temp.root()), 5, 'four rejected children, five configurations');
select is(evolve_step_scale(pg_temp.root()), power(1.25::float8, 4), 'four rejections widen the step: 1.25⁴');

create temp table c5 as select pg_temp.evolve(pg_temp.root(), 6) as better;
create temp table c6 as select pg_temp.evolve(pg_temp.root(), 7) as sibling;
select is(pg_temp.verdict((select better from c5), 0.45), 'CHILD_BETTER', 'exactly at the margin (0.40 + 0.05): accepted');
select is(pg_temp.status((select better from c5)), 'ACTIVE', 'the child becomes ACTIVE');
select is(pg_temp.status(pg_temp.root()), 'SUPERSEDED', 'the parent SUPERSEDED');
select cancel_job(id) from bot_jobs where bot_id = (select better from c5) and status = 'QUEUED';
select results_eq($$select state, label from bot_now where bot_id = (select better from c5)$$,
                  $$values ('EVOLVED', 'Evolved → Gen 2')$$, 'the child''s badge: Evolved → Gen 2');
select is((select state from bot_now where bot_id = pg_temp.root()), 'EVOLVING', 'the parent: its other candidate is pending');
select is((select count(*)::int from activity_events where event_type = 'EVOLUTION_ACCEPTED'
            and bot_id = pg_temp.root() and payload ->> 'candidate_bot_id' = (select better from c5)::text
            and payload ->> 'decision' = 'ACCEPTED'), 1, 'EVOLUTION_ACCEPTED on the parent, naming the child');
select is(pg_temp.verdict((select sibling from c6), 0.99), 'PARENT_NOT_ACTIVE',
          'a sibling judged after the parent was superseded is rejected, however good');
select is(evolve_step_scale(pg_temp.root()), power(1.25::float8, 5) * 0.8, 'an acceptance narrows the step (×0.8)');
select is(select_evolution((select better from c5), null), null, 'a judged child is not judged again');

-- ---------------------------------------------------------------- refusals write nothing
create temp table gen3_job as select job_id from enqueue_job((select better from c5), 'EVOLVE');
select claim_jobs('w1', array['EVOLVE'], 1);
create temp table before as select (select count(*) from bots) as bots, (select count(*) from evolution_selections) as sel,
                                   (select count(*) from bot_jobs where status = 'QUEUED') as queued;
select throws_ok(format($$select complete_leased_job(%L, 'w1', 1, '{"params": {"n": 3, "k": 5}, "params_hash": "h-n3"}')$$,
                        (select job_id from gen3_job)),
                 'P0001', 'DUPLICATE_PARAMS', 'params already tried in the lineage (a rejected sibling''s) are refused');
select ok((select row(b.*)::text from before b) = (select row((select count(*) from bots), (select count(*) from evolution_selections),
           (select count(*) from bot_jobs where status = 'QUEUED'))::text), 'the refusal writes nothing');

update settings set value = '1' where key = 'evolve_candidates_per_lineage';
select lives_ok(format($$select complete_leased_job(%L, 'w1', 1, '{"params": {"n": 8, "k": 5}, "params_hash": "h-n8"}')$$,
                       (select job_id from gen3_job)), 'a new configuration is a Gen 3 candidate');
select results_eq($$select generation, status, root_bot_id from bots where params_hash = 'h-n8'$$,
                  $$select 3, 'CANDIDATE', pg_temp.root()$$, 'Gen 3 of the same lineage, pending');
create temp table gen3b_job as select job_id from enqueue_job((select better from c5), 'EVOLVE');
select is((select evolution -> 'tried_params_hashes' @> '["h-n3", "h-n8", "h1"]'::jsonb
             from claim_jobs('w1', array['EVOLVE'], 1)), true, 'claim_jobs hands EVOLVE the lineage''s tried params');
select throws_ok(format($$select complete_leased_job(%L, 'w1', 1, '{"params": {"n": 9, "k": 5}, "params_hash": "h-n9"}')$$,
                        (select job_id from gen3b_job)),
                 'P0001', 'CANDIDATE_PENDING', 'at evolve_candidates_per_lineage pending candidates a new one is refused');
select is((select count(*)::int from bots where params_hash = 'h-n9'), 0, 'and not written');

-- ---------------------------------------------------------------- through the queue
-- The Gen 3 candidate's baseline runs on its parent's window and its recording brings the verdict.
create temp table baseline as
    select j.id, j.payload from bot_jobs j join bots b on b.id = j.bot_id
     where b.params_hash = 'h-n8' and j.job_type = 'BACKTEST_BASELINE';
select is((select payload ->> 'paired_session_id' from baseline)::uuid,
          (select e.session_id from bot_evidence e where e.bot_id = (select better from c5)),
          'the candidate''s baseline is paired with the parent''s evidence session');
select is((select count(*)::int from (select cancel_job(j.id) from bot_jobs j join bots b on b.id = j.bot_id
            where j.job_type = 'BACKTEST_BASELINE' and j.status = 'QUEUED' and b.id = (select sibling from c6)) x), 1,
          'cancelling a judged candidate''s baseline');
select is((select decision from evolution_selections where candidate_bot_id = (select sibling from c6)), 'REJECTED',
          'leaves its verdict as it was');
select cancel_job(id) from bot_jobs where job_type = 'BACKTEST_BASELINE' and status = 'QUEUED' and id <> (select id from baseline);
select claim_jobs('w1', array['BACKTEST_BASELINE'], 1);
select is(fail_job((select id from baseline), 'w1', 1, 'NO_DATA', 'no bars', null, false), 'FAILED',
          'its baseline gives up');
select results_eq($$select b.status, s.reason_code from bots b join evolution_selections s on s.candidate_bot_id = b.id
                     where b.params_hash = 'h-n8'$$,
                  $$values ('REJECTED', 'NO_EVIDENCE')$$, 'a candidate without evidence is rejected (NO_EVIDENCE)');

-- ---------------------------------------------------------------- evolution_hold: the lineage limits
update settings set value = '2' where key = 'evolve_candidates_per_lineage';
select is(evolution_hold((select better from c5)), null, 'no candidate pending, no cooldown (0 minutes): nothing holds');
update settings set value = '30' where key = 'evolve_min_interval_minutes';
select is(evolution_hold((select better from c5)), 'EVOLVE_COOLDOWN', 'the lineage evolved minutes ago: EVOLVE_COOLDOWN');
update settings set value = '0' where key = 'evolve_min_interval_minutes';
create temp table exhausted as select job_id from enqueue_job((select better from c5), 'EVOLVE');
select claim_jobs('w1', array['EVOLVE'], 1);
select fail_job((select job_id from exhausted), 'w1', 1, 'PARAMS_EXHAUSTED', '32 draws all tried', null, false);
update bot_jobs set created_at = now() + interval '1 second' where id = (select job_id from exhausted);  -- the latest
select is(evolution_hold((select better from c5)), 'PARAMS_EXHAUSTED', 'after an EVOLVE that found only tried params: PARAMS_EXHAUSTED');

-- ---------------------------------------------------------------- the lineage view
select results_eq($$select outcome, outcome_reason, params_diff from lineage where bot_id = (select worse from c)$$,
                  $$values ('REJECTED', 'DSR_NOT_BETTER', '{"n": {"from": 1, "to": 2}}'::jsonb)$$,
                  'lineage: a rejected child, why, and what it changed');
select results_eq($$select outcome, deflated_sharpe, parent_deflated_sharpe from lineage where bot_id = (select better from c5)$$,
                  $$values ('ACCEPTED', 0.45::float8, 0.40::float8)$$, 'lineage: the accepted child and the DSR it beat');
select is((select count(*)::int from lineage where root_bot_id = pg_temp.root()), 8, 'the lineage holds the root and its seven children');
select is((select outcome from lineage where bot_id = pg_temp.root()), 'ROOT', 'the root is ROOT');

select * from finish();
rollback;
