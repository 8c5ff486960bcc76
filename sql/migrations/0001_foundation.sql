-- Foundation: the settings table every later part reads its thresholds from.
-- schema_migrations itself is created by the migration runner.

create table settings (
    key         text primary key check (key ~ '^[a-z][a-z0-9_]*$'),
    value       jsonb not null,
    description text not null,
    updated_at  timestamptz not null default now()
);

insert into settings (key, value, description) values
    ('schema_owner', '"gauntlet"', 'marks this database as a Gauntlet database');
