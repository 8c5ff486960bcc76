-- Workers on other machines (docs/scaling.md) connect as gauntlet_worker: a login
-- role with no password until scripts/up sets one (a SCRAM verifier; pg_hba, written
-- by scripts/lib.sh, admits it over TLS only), no superuser, no table privileges.
-- What it may call is granted in sql/functions/worker_grants.sql. Roles belong to the
-- cluster, not the database, so a second database on the cluster finds it made.
do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'gauntlet_worker') then
        create role gauntlet_worker login nosuperuser nocreatedb nocreaterole noinherit;
    end if;
end $$;
