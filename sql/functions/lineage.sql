-- Every bot with its lineage (PROOFS-style view for a DBA; the bot page's tree reads
-- it): root, generation, parent, status; params_diff = the parameters that differ
-- from the parent's ({"name": {"from": x, "to": y}}); the out-of-sample evidence
-- it was judged on (an evolved bot: the session of its verdict; a root or a bot
-- still awaiting one: its current evidence) — OOS trades, PnL, Sharpe, expectancy
-- with its interval, profit factor, deflated Sharpe, trials, evidence label; and
-- the evolution outcome: ROOT, PENDING, ACCEPTED or REJECTED, with reason_code, the
-- parent's deflated Sharpe it was set against, the step scale and when it was decided.
create or replace view lineage as
select lineage_root(b) as root_bot_id, b.id as bot_id, b.name, b.generation, b.parent_bot_id,
       b.status, b.stage, b.params_hash,
       coalesce((select jsonb_object_agg(k.key, jsonb_build_object('from', p.params -> k.key, 'to', k.value))
                   from jsonb_each(b.params) k
                  where p.id is not null and (p.params -> k.key) is distinct from k.value), '{}'::jsonb) as params_diff,
       ev.id as session_id, ev.trades_count as oos_trades, ev.realized_pnl as oos_pnl, ev.sharpe as oos_sharpe,
       ev.expectancy as oos_expectancy, ev.expectancy_ci_low, ev.expectancy_ci_high, ev.profit_factor as oos_profit_factor,
       ev.deflated_sharpe, ev.trials, evidence_label(ev.trades_count, ev.expectancy_ci_low, ev.deflated_sharpe) as evidence,
       case when b.parent_bot_id is null then 'ROOT' else coalesce(es.decision, 'PENDING') end as outcome,
       es.reason_code as outcome_reason,
       (es.comparison #>> '{parent,deflated_sharpe}')::double precision as parent_deflated_sharpe,
       es.step_scale, es.started_at as evolution_started_at, es.decided_at, b.created_at
  from bots b
  left join bots p on p.id = b.parent_bot_id
  left join evolution_selections es on es.candidate_bot_id = b.id
  left join lateral (
        select s.* from backtest_sessions s
         where s.id = coalesce(es.candidate_session_id, (select e.session_id from bot_evidence e where e.bot_id = b.id))) ev on true;
