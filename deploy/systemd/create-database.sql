-- gauntlet-postgresql.service runs this after each start: the gauntlet database,
-- on the first one (scripts/up does the same with createdb).
select 'create database gauntlet' where not exists (select 1 from pg_database where datname = 'gauntlet')
\gexec
