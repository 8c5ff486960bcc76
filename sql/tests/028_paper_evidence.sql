-- PAPER evidence: the day's paper session kept by the ledger's own transactions
-- (begin_paper_day, submit_paper_order's breaches, record_paper_fill's trades and
-- trips), the paper gates just below / at / above, synthetic and pre-PAPER sessions
-- left out, the paper drawdown and its PAPER_DRAWDOWN demotion, and the planner's
-- RUNNER_START policy with bot_now's RUNNER_RUNNING / RUNNER_STALE.
begin;
set client_min_messages = warning;
select plan(45);

\ir fixtures/autonomy_fleet.sql
truncate paper_sessions, paper_order_events, paper_fills, paper_orders, paper_positions, paper_equity, paper_runs,
         risk_limits, paper_accounts cascade;
update kill_switch set engaged = false, source = null, reason = null;
update instruments set initial_margin = 2000 where symbol = 'MNQ';

-- ---------------------------------------------------------------- the session follows the ledger
select create_paper_account('p1', pg_temp.bot('Bot 1'), 50000) as account \gset
update risk_limits set max_orders_per_minute = 1000, max_loss_per_trade_usd = 5000, max_consecutive_losses = 2
 where account_id = :'account';
insert into paper_runs (account_id, bot_id, source) values (:'account', pg_temp.bot('Bot 1'), 'file') returning id as run \gset
select begin_paper_day(:'account', '2026-12-01');
select is((select data_source || ' ' || trades_count || ' ' || iteration from paper_sessions where account_id = :'account'),
          'file 0 0', 'begin_paper_day starts the day''s session, labelled with the running run''s source');
select begin_paper_day(:'account', '2026-12-01');
select is((select count(*)::int from paper_sessions where account_id = :'account'), 1, 'the same day again: still one');

create function pg_temp.order(p_id text, p_intent text, p_side text, p_qty int) returns uuid
language sql as $$
    select (submit_paper_order((select id from paper_accounts where name = 'p1'), null, p_id, 'MNQ', p_intent, p_side,
                               p_qty, 20000, case p_side when 'BUY' then 19990 else 20010 end) ->> 'id')::uuid
$$;
select pg_temp.order('big', 'ENTRY', 'BUY', 3);
select is((select risk_breaches from paper_sessions where account_id = :'account'), 1,
          'an order over max_position (the bot''s doing) is a breach of the day');
select set_kill_switch(true, 'sql', 'test');
select pg_temp.order('killed', 'ENTRY', 'BUY', 1);
select set_kill_switch(false, 'sql', 'test');
select is((select reject_code from paper_orders where client_order_id = 'killed'), 'KILL_SWITCH', 'a kill-switch refusal…');
select is((select risk_breaches from paper_sessions where account_id = :'account'), 1, '…is not the bot''s breach');
select ok(paper_risk_breach('MAX_LOSS_PER_TRADE') and not paper_risk_breach('CIRCUIT_BREAKER')
          and not paper_risk_breach('NO_LIMITS'), 'paper_risk_breach: limits the bot broke, not configuration or trips');

-- Two losing trades: trades and net PnL counted, the second trips the breaker (max 2 losses).
select pg_temp.order('e1', 'ENTRY', 'BUY', 1) as e1 \gset
select record_paper_fill(:'e1', 1, 20000, 0.57, now());
select pg_temp.order('x1', 'EXIT', 'SELL', 1) as x1 \gset
select record_paper_fill(:'x1', 1, 19995, 0.57, now(), -10, -11.14);
select is((select trades_count || ' ' || wins || ' ' || realized_pnl from paper_sessions where account_id = :'account'),
          '1 0 -11.14', 'a closed trade: counted with its net PnL');
select is((select trade_pnl from paper_fills where order_id = :'x1'), -11.14, 'the flattening fill keeps the trade''s PnL');
select pg_temp.order('e2', 'ENTRY', 'BUY', 1) as e2 \gset
select record_paper_fill(:'e2', 1, 20000, 0.57, now());
select pg_temp.order('x2', 'EXIT', 'SELL', 1) as x2 \gset
select record_paper_fill(:'x2', 1, 19990, 0.57, now(), -20, -21.14);
select is((select trades_count || ' ' || circuit_breaker_trips || ' ' || risk_breaches from paper_sessions
            where account_id = :'account'), '2 1 1', 'the losing streak trips the breaker: a trip of the day');

-- ---------------------------------------------------------------- the paper gates (Bot 2)
update bots set stage = 'PAPER' where id = pg_temp.bot('Bot 2');
select pg_temp.session(pg_temp.bot('Bot 2'), '{"data_source": "databento", "sharpe": 2, "profit_factor": 2}');
select is(pg_temp.gate(pg_temp.bot('Bot 2'), 'paper_days'), false, 'no paper account: paper days fail');
select is((select actual from evaluate_gates(pg_temp.bot('Bot 2')) where metric = 'paper_expectancy_outside_ci'), null,
          'and the expectancy has no value');
select pg_temp.paper(pg_temp.bot('Bot 2'), 5, 10, 200, 'synthetic');
select is((select paper_days || ' ' || synthetic_days || ' ' || paper_trades from paper_evidence
            where bot_id = pg_temp.bot('Bot 2')), '0 5 0', 'synthetic paper days are left out');
select is(pg_temp.gate(pg_temp.bot('Bot 2'), 'paper_days'), false, 'five synthetic days: paper_days fails');
delete from paper_sessions where bot_id = pg_temp.bot('Bot 2');

select pg_temp.paper(pg_temp.bot('Bot 2'), 4, 9, 45);
select is(pg_temp.gate(pg_temp.bot('Bot 2'), 'paper_days'), false, '4 days (below 5) fails');
select is((select array_agg(distinct failure_code) from gate_evaluations
            where bot_id = pg_temp.bot('Bot 2') and kind = 'PROMOTE' and not passed), array['PAPER_EVIDENCE_PENDING'],
          'short of days and trades: PAPER_EVIDENCE_PENDING, the only failures');
select supervisor_tick();
select is((select failed_cycles from bot_gate_streaks where bot_id = pg_temp.bot('Bot 2')), 0,
          'evidence still building up is not a failed cycle (it would send the bot to evolution)');
update bots set stage = 'PAPER' where id = pg_temp.bot('Bot 2');
select is(pg_temp.gate(pg_temp.bot('Bot 2'), 'paper_trades'), false, '9 trades (below 10) fails');
select is(pg_temp.gate(pg_temp.bot('Bot 2'), 'paper_expectancy_outside_ci'), true, '$5 a trade (at the low bound 5) passes');
delete from paper_sessions where bot_id = pg_temp.bot('Bot 2');
select pg_temp.paper(pg_temp.bot('Bot 2'), 5, 10, 49.9);
select is(pg_temp.gate(pg_temp.bot('Bot 2'), 'paper_days'), true, '5 days (at) passes');
select is(pg_temp.gate(pg_temp.bot('Bot 2'), 'paper_trades'), true, '10 trades (at) passes');
select is((select actual from evaluate_gates(pg_temp.bot('Bot 2')) where metric = 'paper_expectancy_outside_ci'), 0.01,
          '$4.99 a trade: 0.01 below the interval [5, 40]…');
select is(pg_temp.gate(pg_temp.bot('Bot 2'), 'paper_expectancy_outside_ci'), false, '…fails');
delete from paper_sessions where bot_id = pg_temp.bot('Bot 2');
select pg_temp.paper(pg_temp.bot('Bot 2'), 6, 11, 440.11);
select is((select actual from evaluate_gates(pg_temp.bot('Bot 2')) where metric = 'paper_expectancy_outside_ci'), 0.01,
          '$40.01 a trade: 0.01 above the interval');
delete from paper_sessions where bot_id = pg_temp.bot('Bot 2');
select pg_temp.paper(pg_temp.bot('Bot 2'), 6, 11, 440, 'file', 1);
select is(pg_temp.gate(pg_temp.bot('Bot 2'), 'paper_days'), true, '6 days (above) passes');
select is(pg_temp.gate(pg_temp.bot('Bot 2'), 'paper_trades'), true, '11 trades (above) passes');
select is(pg_temp.gate(pg_temp.bot('Bot 2'), 'paper_expectancy_outside_ci'), true, '$40 a trade (at the high bound) passes');
select is(pg_temp.gate(pg_temp.bot('Bot 2'), 'paper_risk_breaches'), false, 'one risk breach fails');
select ok((select failures @> '[{"metric": "paper_risk_breaches", "reason_code": "GATE_PAPER_RISK_BREACHES"}]'
             from gate_status where bot_id = pg_temp.bot('Bot 2')), 'gate_status names it');
update paper_sessions set risk_breaches = 0 where bot_id = pg_temp.bot('Bot 2');
select is(pg_temp.gate(pg_temp.bot('Bot 2'), 'paper_risk_breaches'), true, 'no breach passes');
select is((select passed_all from gate_status where bot_id = pg_temp.bot('Bot 2')), true, 'every PAPER → SHADOW rule passes');
-- Evidence restarts when the bot enters PAPER again (here: a second later than the sessions).
update bots set stage_updated_at = now() + interval '1 second' where id = pg_temp.bot('Bot 2');
select is((select paper_days from paper_evidence where bot_id = pg_temp.bot('Bot 2')), 0,
          'sessions from before the bot (re-)entered PAPER do not count');
update bots set stage_updated_at = now() where id = pg_temp.bot('Bot 2');
update bots set iteration = 1 where id = pg_temp.bot('Bot 2');
select is((select paper_days from paper_evidence where bot_id = pg_temp.bot('Bot 2')), 0,
          'nor sessions of an earlier iteration (an adopted improvement)');
update bots set iteration = 0 where id = pg_temp.bot('Bot 2');

-- ---------------------------------------------------------------- paper drawdown → PAPER_DRAWDOWN (Bot 3)
update bots set stage = 'PAPER' where id = pg_temp.bot('Bot 3');
select pg_temp.session(pg_temp.bot('Bot 3'));
select create_paper_account('p3', pg_temp.bot('Bot 3'), 50000) as a3 \gset
select is((select has_evidence from gate_evaluations where bot_id = pg_temp.bot('Bot 3') and metric = 'paper_max_drawdown_pct'),
          false, 'no paper sample yet: the drawdown KEEP rule has no evidence');
insert into paper_runs (account_id, bot_id, source) values (:'a3', pg_temp.bot('Bot 3'), 'databento');
select begin_paper_day(:'a3', '2026-12-02');
select sample_paper_equity(:'a3');
update paper_accounts set cash = 35000 where id = :'a3';
select sample_paper_equity(:'a3');
select is((select max_drawdown_pct from paper_evidence where bot_id = pg_temp.bot('Bot 3')), 30.0000,
          '$15,000 down from $50,000: 30 %');
select is((select passed from gate_evaluations where bot_id = pg_temp.bot('Bot 3') and metric = 'paper_max_drawdown_pct'),
          true, '30 % (at the KEEP threshold) keeps PAPER');
update paper_accounts set cash = 34999.99 where id = :'a3';
select sample_paper_equity(:'a3');
select is((select passed from gate_evaluations where bot_id = pg_temp.bot('Bot 3') and metric = 'paper_max_drawdown_pct'),
          false, '30.00002 % (above) fails');
select is((supervisor_tick() ->> 'demoted')::int >= 1, true, 'the supervisor demotes');
select is((select stage || ' ' || stage_reason_code from bots where id = pg_temp.bot('Bot 3')), 'LAB PAPER_DRAWDOWN',
          'to LAB, reason PAPER_DRAWDOWN');
select is((select payload ->> 'reason_code' from activity_events where bot_id = pg_temp.bot('Bot 3') and event_type = 'DEMOTED'),
          'PAPER_DRAWDOWN', 'the DEMOTED event says PAPER_DRAWDOWN');

-- ---------------------------------------------------------------- RUNNER_START and the badge
select is((select stage from bots where id = pg_temp.bot('Bot 2')), 'SHADOW',
          'the same tick promoted Bot 2, which passed every PAPER → SHADOW rule');
update bots set stage = 'PAPER' where id = pg_temp.bot('Bot 2');
select planner_tick() as tick \gset
select is((select decision || ' ' || reason_code from autonomy_bot_decisions
            where planner_run_id = :'tick' and bot_id = pg_temp.bot('Bot 2') and job_type = 'RUNNER_START'),
          'ENQUEUED PAPER_NEEDS_RUNNER', 'the planner enqueues a runner for the PAPER bot');
select is((select count(*)::int from bot_jobs where job_type = 'RUNNER_START' and status = 'QUEUED'), 1,
          'one runner job: only Bot 2 is in PAPER');
select planner_tick();
select is((select count(*)::int from bot_jobs where job_type = 'RUNNER_START'), 1, 'a second tick adds none');
select claim_jobs('runner-1', '{RUNNER_START}', 5);
select is((select state || ' ' || label from bot_now where bot_id = pg_temp.bot('Bot 2')), 'RUNNER_RUNNING Runner',
          'claimed and heartbeating: RUNNER_RUNNING');
update bot_jobs set heartbeat_at = now() - interval '1 hour' where job_type = 'RUNNER_START';
select is((select state from bot_now where bot_id = pg_temp.bot('Bot 2')), 'RUNNER_STALE', 'a silent runner: RUNNER_STALE');

select * from finish();
rollback;
