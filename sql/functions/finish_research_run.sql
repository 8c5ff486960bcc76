-- Completes a research run whose cells have all been recorded (record_research_row
-- calls it after the last one): COMPLETED with its research_selection, or ERROR
-- when every cell failed (message: how many and the first error); a WEEKLY run then
-- applies the roster policy (apply_roster_policy). Returns the run's state.
create or replace function finish_research_run(p_run uuid) returns text
language plpgsql volatile as $$
declare
    v_done int;
    v_failed int;
    v_first_error text;
    v_selection jsonb;
begin
    select count(*), count(*) filter (where status = 'FAILED'),
           min(error_code || ': ' || coalesce(error_message, '')) filter (where status = 'FAILED')
      into v_done, v_failed, v_first_error
      from research_rows where run_id = p_run;
    if v_done > 0 and v_failed = v_done then
        update research_runs
           set state = 'ERROR', finished_at = now(),
               message = format('all %s cells failed (first: %s)', v_failed, v_first_error)
         where id = p_run;
        return 'ERROR';
    end if;

    v_selection := research_selection(p_run);
    update research_runs
       set state = 'COMPLETED', finished_at = now(), selection = v_selection,
           message = case when v_failed > 0 then format('%s of %s cells failed', v_failed, v_done) end
     where id = p_run;
    -- Only the weekly runs decide the roster: a manual run is research, not policy.
    if (select trigger from research_runs where id = p_run) = 'WEEKLY' then
        perform apply_roster_policy(p_run);
    end if;
    return 'COMPLETED';
end
$$;
