-- A worker on another machine connects as gauntlet_worker (docs/scaling.md): it can
-- do a worker's whole job through the queue functions, and nothing else. The role
-- runs in this transaction (set local role); what it could and could not do is
-- noted in transaction-local settings and judged after reset role (pgTAP's own
-- tables are not the role's to write).
begin;
set client_min_messages = warning;
select plan(10);

select ok((select rolcanlogin and not rolsuper and not rolcreaterole and not rolcreatedb
             from pg_roles where rolname = 'gauntlet_worker'), 'gauntlet_worker: a login role, not a superuser');

-- One home for the grants: the functions the role may call are exactly the
-- SECURITY DEFINER ones of ours (extensions' own, dblink's, are not ours), and
-- PUBLIC may call none of those.
create temporary view definers as
select p.oid, p.oid::regprocedure::text as name, p.proacl, p.proowner, p.proconfig
  from pg_proc p
 where p.pronamespace = 'public'::regnamespace and p.prosecdef
   and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e');
select is((select array_agg(name order by name) from definers),
          (select array_agg(p.oid::regprocedure::text order by p.oid::regprocedure::text)
             from pg_proc p where p.pronamespace = 'public'::regnamespace
              and exists (select 1 from aclexplode(p.proacl) a
                           where a.grantee = 'gauntlet_worker'::regrole and a.privilege_type = 'EXECUTE')),
          'the role may execute exactly the SECURITY DEFINER functions');
select is((select count(*)::int from definers d, aclexplode(coalesce(d.proacl, acldefault('f', d.proowner))) a
            where a.grantee = 0),
          0, 'no SECURITY DEFINER function is executable by PUBLIC');
select is((select count(*)::int from definers d
            where not exists (select 1 from unnest(d.proconfig) c where c like 'search_path=%')),
          0, 'every SECURITY DEFINER function pins its search_path');

truncate worker_heartbeats;
select enqueue_job(null, 'NOOP');

set local role gauntlet_worker;
do $$
declare
    v_job record;
    v_probe text[];
begin
    perform set_config('t.kinds', (select count(*) from job_kinds)::text, true);
    perform record_worker_heartbeat('machine-b', 'b', 7, 1, '{NOOP}');
    select * into v_job from claim_jobs('machine-b', '{NOOP}', 1);
    perform set_config('t.claimed', coalesce(v_job.job_id::text, ''), true);
    perform complete_leased_job(v_job.job_id, 'machine-b', v_job.attempt, '{}');
    -- What the role must not do: each probe notes 'allowed' or 'denied'.
    foreach v_probe slice 1 in array array[
        ['bots', 'select 1 from bots limit 1'],
        ['enqueue', 'select enqueue_job(null, ''NOOP'')'],
        ['settings', 'select 1 from settings limit 1']
    ] loop
        begin
            execute v_probe[2];
            perform set_config('t.' || v_probe[1], 'allowed', true);
        exception when insufficient_privilege then
            perform set_config('t.' || v_probe[1], 'denied', true);
        end;
    end loop;
end $$;
reset role;

select ok(current_setting('t.kinds')::int > 0, 'it reads the job kinds');
select is((select worker_state(w) from worker_heartbeats w where worker_id = 'machine-b'), 'RUNNING',
          'it records its heartbeat (its session is this one)');
select is((select status || ' ' || worker_id from bot_jobs where id = current_setting('t.claimed')::uuid),
          'COMPLETED machine-b', 'it claims and completes a job');
select is(current_setting('t.bots'), 'denied', 'it cannot read bots');
select is(current_setting('t.enqueue'), 'denied', 'it cannot enqueue (enqueue_job writes with the caller''s rights)');
select is(current_setting('t.settings'), 'denied', 'it cannot read settings');

select * from finish();
rollback;
