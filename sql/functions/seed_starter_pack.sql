-- Seeds the starter pack from the catalogue the Swift side supplies:
--   p_instruments: [{symbol, name, tick_size, multiplier, currency, commission_per_side, exchange, kind,
--                    initial_margin}]
--   p_archetypes:  [{slug, name, family, instrument, timeframe, default_params, param_bounds, params_hash}]
-- Upserts instruments and archetypes, then creates one STARTER bot per archetype
-- that has none (name = archetype name, params = default_params, params_hash as
-- supplied — SQL never recomputes it). When any bot was created it writes
-- STARTER_PACK_CREATED {created, existing, archetypes, instruments} (a repeat
-- call creates nothing and writes nothing). Then, unless kickoff is off —
-- p_auto_kickoff false, or settings.auto_kickoff_backtests false; null means
-- "as settings say" — it calls enqueue_missing_baselines('STARTER_PACK'): a
-- BACKTEST_BASELINE for every ACTIVE bot without a completed session of its
-- current params since the metrics reset. Returns
--   {"created": [bot ids], "existing": [bot ids], "enqueued": n, "already_queued": n,
--    "kickoff": bool, "instruments": n, "archetypes": n}.
create or replace function seed_starter_pack(p_instruments jsonb, p_archetypes jsonb, p_auto_kickoff boolean default null)
returns jsonb
language plpgsql volatile as $$
declare
    v_instruments int;
    v_archetypes int;
    v_created uuid[];
    v_existing uuid[];
    v_kickoff boolean;
    v_enqueued int := 0;
    v_already int := 0;
    v_queued jsonb;
begin
    if jsonb_typeof(p_instruments) is distinct from 'array' or jsonb_typeof(p_archetypes) is distinct from 'array' then
        raise exception 'INVALID_CATALOGUE' using errcode = '22023',
            detail = 'p_instruments and p_archetypes must be JSON arrays';
    end if;

    -- initial_margin is the spec's default: a margin a DBA has set is kept.
    insert into instruments as t (symbol, name, tick_size, multiplier, currency, commission_per_side, exchange, kind,
                                  initial_margin)
    select i.symbol, i.name, i.tick_size, i.multiplier, coalesce(i.currency, 'USD'), coalesce(i.commission_per_side, 0),
           i.exchange, coalesce(i.kind, 'future'), i.initial_margin
      from jsonb_to_recordset(p_instruments) as i(symbol text, name text, tick_size numeric, multiplier numeric,
                                                 currency text, commission_per_side numeric, exchange text, kind text,
                                                 initial_margin numeric)
    on conflict (symbol) do update
       set name = excluded.name, tick_size = excluded.tick_size, multiplier = excluded.multiplier,
           currency = excluded.currency, commission_per_side = excluded.commission_per_side,
           exchange = excluded.exchange, kind = excluded.kind,
           initial_margin = coalesce(t.initial_margin, excluded.initial_margin), updated_at = now()
     where (t.name, t.tick_size, t.multiplier, t.currency, t.commission_per_side, t.exchange, t.kind)
           is distinct from (excluded.name, excluded.tick_size, excluded.multiplier, excluded.currency,
                             excluded.commission_per_side, excluded.exchange, excluded.kind)
        or (t.initial_margin is null and excluded.initial_margin is not null);
    v_instruments := jsonb_array_length(p_instruments);

    insert into archetypes as t (slug, name, family, instrument, timeframe, default_params, param_bounds)
    select a.slug, a.name, a.family, a.instrument, a.timeframe, coalesce(a.default_params, '{}'),
           coalesce(a.param_bounds, '{}')
      from jsonb_to_recordset(p_archetypes) as a(slug text, name text, family text, instrument text, timeframe text,
                                                default_params jsonb, param_bounds jsonb)
    on conflict (slug) do update
       set name = excluded.name, family = excluded.family, instrument = excluded.instrument,
           timeframe = excluded.timeframe, default_params = excluded.default_params,
           param_bounds = excluded.param_bounds, updated_at = now()
     where (t.name, t.family, t.instrument, t.timeframe, t.default_params, t.param_bounds)
           is distinct from (excluded.name, excluded.family, excluded.instrument, excluded.timeframe,
                             excluded.default_params, excluded.param_bounds);
    v_archetypes := jsonb_array_length(p_archetypes);

    select array_agg(b.id order by b.created_at, b.name) into v_existing
      from bots b
     where b.origin = 'STARTER'
       and b.archetype_slug in (select a ->> 'slug' from jsonb_array_elements(p_archetypes) as a);

    with made as (
        insert into bots (name, archetype_slug, instrument, timeframe, params, params_hash, origin, stage_reason_code)
        select a.name, a.slug, a.instrument, a.timeframe, coalesce(a.default_params, '{}'), a.params_hash,
               'STARTER', 'STARTER_PACK'
          from jsonb_to_recordset(p_archetypes) as a(slug text, name text, instrument text, timeframe text,
                                                    default_params jsonb, params_hash text)
        on conflict (archetype_slug) where origin = 'STARTER' do nothing
        returning id, name
    )
    select array_agg(id order by name) into v_created from made;

    if v_created is not null then
        insert into activity_events (event_type, payload)
        values ('STARTER_PACK_CREATED',
                jsonb_build_object('created', cardinality(v_created), 'existing', coalesce(cardinality(v_existing), 0),
                                   'archetypes', v_archetypes, 'instruments', v_instruments,
                                   'bot_ids', to_jsonb(v_created)));
    end if;

    v_kickoff := coalesce(p_auto_kickoff, true)
                 and setting('auto_kickoff_backtests')::boolean;
    if v_kickoff then
        -- The same rule and path as "Kickoff Testing Now": every active bot
        -- without evidence since the metrics reset gets a baseline.
        v_queued := enqueue_missing_baselines('STARTER_PACK');
        v_enqueued := (v_queued ->> 'enqueued')::int;
        v_already := (v_queued ->> 'alreadyQueued')::int;
    end if;

    return jsonb_build_object('created', coalesce(to_jsonb(v_created), '[]'),
                              'existing', coalesce(to_jsonb(v_existing), '[]'),
                              'enqueued', v_enqueued, 'already_queued', v_already, 'kickoff', v_kickoff,
                              'instruments', v_instruments, 'archetypes', v_archetypes);
end
$$;
