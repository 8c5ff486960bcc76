-- The roster policy, applied to a completed research run (finish_research_run calls
-- it for WEEKLY runs). For each (archetype, instrument) of the run's selection,
-- judged on its best row (qualified or not), with the thresholds in settings:
--   passes      OOS trades ≥ roster_min_trades, Sharpe > roster_min_sharpe and
--               profit factor > roster_min_profit_factor
--               → ACTIVE, weeks_failing 0: ROSTER_KEPT, or ROSTER_REENABLED when it was DISABLED
--   below both  Sharpe ≤ roster_min_sharpe and profit factor ≤ roster_min_profit_factor
--               → weeks_failing + 1; at roster_disable_after_weeks (2) consecutive
--               weeks → DISABLED (ROSTER_DISABLED), else WATCH (ROSTER_WATCH)
--   otherwise   → WATCH (ROSTER_WATCH), weeks_failing 0
-- A DISABLED pair stays DISABLED until a passing run. WATCH and DISABLED record a
-- recommendation. Every change of state is a roster_history row; every judged pair
-- an event (bot_id null; payload {archetype, instrument, from_state, to_state,
-- weeks_failing, run_id, trades, sharpe, profit_factor, recommendation}).
-- Returns {"kept", "watch", "disabled", "reenabled"} counts.
create or replace function apply_roster_policy(p_run uuid) returns jsonb
language plpgsql volatile as $$
declare
    v_trades int := setting('roster_min_trades')::int;
    v_sharpe double precision := setting('roster_min_sharpe')::double precision;
    v_pf double precision := setting('roster_min_profit_factor')::double precision;
    v_weeks int := setting('roster_disable_after_weeks')::int;
    r record;
    v_old roster%rowtype;
    v_state text;
    v_failing int;
    v_event text;
    v_recommendation text;
    v_counts jsonb := '{"kept": 0, "watch": 0, "disabled": 0, "reenabled": 0}';
begin
    for r in select p ->> 'archetype' as archetype, p ->> 'instrument' as instrument,
                    coalesce((p #>> '{metrics,trades}')::int, 0) as trades,
                    coalesce((p #>> '{metrics,sharpe}')::double precision, 0) as sharpe,
                    coalesce((p #>> '{metrics,profit_factor}')::double precision, 0) as pf, p as doc
               from research_runs x, jsonb_array_elements(x.selection -> 'pairs') p
              where x.id = p_run
              order by 1, 2
    loop
        select * into v_old from roster where archetype_slug = r.archetype and instrument = r.instrument for update;
        if r.trades >= v_trades and r.sharpe > v_sharpe and r.pf > v_pf then
            v_state := 'ACTIVE';
            v_failing := 0;
            v_event := case when v_old.state = 'DISABLED' then 'ROSTER_REENABLED' else 'ROSTER_KEPT' end;
            v_recommendation := null;
        else
            v_failing := case when r.sharpe <= v_sharpe and r.pf <= v_pf then coalesce(v_old.weeks_failing, 0) + 1 else 0 end;
            v_state := case when v_old.state = 'DISABLED' or v_failing >= v_weeks then 'DISABLED' else 'WATCH' end;
            v_event := case when v_state = 'DISABLED' then 'ROSTER_DISABLED' else 'ROSTER_WATCH' end;
            v_recommendation := case
                when r.trades < v_trades then 'too few trades: widen the window or loosen the entry threshold'
                else 'tighten the band around the defaults and raise the entry threshold' end;
        end if;
        insert into roster (archetype_slug, instrument, state, weeks_failing, recommendation, last_run_id, evidence, updated_at)
        values (r.archetype, r.instrument, v_state, v_failing, v_recommendation, p_run, r.doc, now())
        on conflict (archetype_slug, instrument) do update
            set state = excluded.state, weeks_failing = excluded.weeks_failing, recommendation = excluded.recommendation,
                last_run_id = excluded.last_run_id, evidence = excluded.evidence, updated_at = now();
        if v_old.state is distinct from v_state then
            insert into roster_history (archetype_slug, instrument, from_state, to_state, weeks_failing, run_id, evidence)
            values (r.archetype, r.instrument, v_old.state, v_state, v_failing, p_run, r.doc);
        end if;
        insert into activity_events (event_type, payload)
        values (v_event, jsonb_strip_nulls(jsonb_build_object(
                    'archetype', r.archetype, 'instrument', r.instrument, 'from_state', v_old.state, 'to_state', v_state,
                    'weeks_failing', v_failing, 'run_id', p_run, 'trades', r.trades, 'sharpe', r.sharpe,
                    'profit_factor', r.pf, 'recommendation', v_recommendation)));
        v_counts := jsonb_set(v_counts, array[case v_event when 'ROSTER_KEPT' then 'kept' when 'ROSTER_WATCH' then 'watch'
                                                          when 'ROSTER_DISABLED' then 'disabled' else 'reenabled' end],
                              to_jsonb((v_counts ->> case v_event when 'ROSTER_KEPT' then 'kept' when 'ROSTER_WATCH' then 'watch'
                                                                  when 'ROSTER_DISABLED' then 'disabled' else 'reenabled' end)::int + 1));
    end loop;
    return v_counts;
end
$$;
