-- The paper ledger's hard risk limits, each just below, at and above its limit
-- (paper_order_risk through submit_paper_order), the order lifecycle and its events,
-- idempotent client order ids, the kill switch, the circuit breaker and LIVE's
-- fail-closed refusal.
begin;
set client_min_messages = warning;
select plan(65);

truncate paper_order_events, paper_fills, paper_orders, paper_positions, paper_equity, paper_runs, risk_limits,
         paper_accounts, activity_events, bots, archetypes, instruments cascade;
update kill_switch set engaged = false, source = null, reason = null;
insert into instruments (symbol, name, tick_size, multiplier, commission_per_side, exchange, initial_margin)
values ('ES', 'E-mini S&P 500', 0.25, 50, 2.15, 'CME', 24000), ('XX', 'No margin', 0.25, 50, 2.15, 'CME', null);
select create_paper_account('t', null, 50000) as account \gset
-- Orders per minute and margin only where a test is about them.
update risk_limits set max_orders_per_minute = 1000;

-- Submits an ENTRY and answers its status, or its reject code; an accepted order is
-- cancelled at once so that no test's margin or position depends on another's.
create function pg_temp.entry(p_qty int, p_ref numeric, p_stop numeric, p_target numeric default null,
                              p_side text default 'BUY', p_run uuid default null, p_instrument text default 'ES')
returns text language plpgsql as $$
declare v jsonb;
begin
    v := submit_paper_order((select id from paper_accounts where name = 't'), p_run, gen_random_uuid()::text, p_instrument,
                            'ENTRY', p_side, p_qty, p_ref, p_stop, p_target);
    if v ->> 'status' = 'ACCEPTED' then
        perform cancel_paper_order((v ->> 'id')::uuid, 'TEST');
        return 'ACCEPTED';
    end if;
    return v ->> 'rejectCode';
end $$;
create function pg_temp.position(p_qty int) returns void language sql as $$
    insert into paper_positions (account_id, instrument, quantity, average_price, mark_price)
    select id, 'ES', p_qty, 5000, 5000 from paper_accounts where name = 't'
    on conflict (account_id, instrument) do update set quantity = excluded.quantity;
$$;

-- Max loss per trade: $750 = stop distance × contracts × $50.
select is(pg_temp.entry(1, 5000, 4985.25), 'ACCEPTED', 'loss per trade $737.50: below the $750 limit');
select is(pg_temp.entry(1, 5000, 4985), 'ACCEPTED', 'loss per trade $750: at the limit');
select is(pg_temp.entry(1, 5000, 4984.75), 'MAX_LOSS_PER_TRADE', 'loss per trade $762.50: above');
select is(pg_temp.entry(1, 5000, 5015, null, 'SELL'), 'ACCEPTED', 'a short''s stop is above: $750 at the limit');
select is(pg_temp.entry(1, 5000, null), 'NO_STOP', 'an entry without a stop');
select is(pg_temp.entry(1, 5000, 5001), 'INVALID_STOP', 'a long''s stop above its price');

-- Minimum reward:risk 0.5 (stop 10 points away).
select is(pg_temp.entry(1, 5000, 4990, 5004.75), 'MIN_REWARD_RISK', 'reward:risk 0.475: below 0.5');
select is(pg_temp.entry(1, 5000, 4990, 5005), 'ACCEPTED', 'reward:risk 0.5: at the limit');
select is(pg_temp.entry(1, 5000, 4990, 5005.25), 'ACCEPTED', 'reward:risk 0.525: above');
select is(pg_temp.entry(1, 5000, 4990, null), 'ACCEPTED', 'no target: reward:risk is not judged');

-- Max position 2 contracts (stop 5 points: $500 for 2).
select pg_temp.position(1);
select is(pg_temp.entry(1, 5000, 4997.5), 'ACCEPTED', '1 held + 1: at the maximum of 2');
select is(pg_temp.entry(2, 5000, 4997.5), 'MAX_POSITION', '1 held + 2: above');
select pg_temp.position(0);
select is(pg_temp.entry(1, 5000, 4997.5), 'ACCEPTED', 'flat + 1: below');

-- Max gross notional: one ES at 5000 is $250,000.
select pg_temp.position(1);
update risk_limits set max_notional_usd = 500000.01;
select is(pg_temp.entry(1, 5000, 4997.5), 'ACCEPTED', 'notional $500,000: below $500,000.01');
update risk_limits set max_notional_usd = 500000;
select is(pg_temp.entry(1, 5000, 4997.5), 'ACCEPTED', 'notional $500,000: at the limit');
update risk_limits set max_notional_usd = 499999.99;
select is(pg_temp.entry(1, 5000, 4997.5), 'MAX_NOTIONAL', 'notional $500,000: above $499,999.99');
update risk_limits set max_notional_usd = 1000000;
select pg_temp.position(0);

-- Margin: $24,000 a contract against equity − margin used.
update paper_accounts set cash = 24000.01;
select is(pg_temp.entry(1, 5000, 4997.5), 'ACCEPTED', 'margin $24,000 of $24,000.01 free: below');
update paper_accounts set cash = 24000;
select is(pg_temp.entry(1, 5000, 4997.5), 'ACCEPTED', 'margin $24,000 of $24,000 free: at');
update paper_accounts set cash = 23999.99;
select is(pg_temp.entry(1, 5000, 4997.5), 'INSUFFICIENT_MARGIN', 'margin $24,000 of $23,999.99 free: above');
update paper_accounts set cash = 47999.99;
select pg_temp.position(1);
select is(pg_temp.entry(1, 5000, 4997.5), 'INSUFFICIENT_MARGIN', 'an open contract''s margin is used: $24,000 > $23,999.99 free');
select pg_temp.position(0);
update paper_accounts set cash = 50000;
select is(pg_temp.entry(1, 5000, 4997.5, null, 'BUY', null, 'XX'), 'MARGIN_UNKNOWN', 'no initial margin: refused, never zero');
select is((submit_paper_order(:'account', null, 'working-1', 'ES', 'ENTRY', 'BUY', 1, 5000, 4997.5)) ->> 'status', 'ACCEPTED',
          'a working entry order');
update paper_accounts set cash = 47999.99;
select is(pg_temp.entry(1, 5000, 4997.5), 'INSUFFICIENT_MARGIN', 'a working entry''s margin is reserved');
select cancel_paper_order(id) from paper_orders where client_order_id = 'working-1';
update paper_accounts set cash = 50000;

-- Max daily loss $1,500 and 3 % of the day's starting equity ($1,500 here).
select is(begin_paper_day(:'account', '2026-12-03'), 50000::numeric, 'the day starts at the equity now');
update paper_accounts set cash = 48500.01;
select is(pg_temp.entry(1, 5000, 4997.5), 'ACCEPTED', 'day loss $1,499.99: below');
update paper_accounts set cash = 48500;
select is(pg_temp.entry(1, 5000, 4997.5), 'MAX_DAILY_LOSS', 'day loss $1,500: the limit reached');
update paper_accounts set cash = 48499;
select is(pg_temp.entry(1, 5000, 4997.5), 'MAX_DAILY_LOSS', 'day loss $1,501: above');
select is(begin_paper_day(:'account', '2026-12-03'), 50000::numeric, 'the same day again keeps its starting equity');
update risk_limits set max_daily_loss_usd = 100000, max_daily_loss_pct = 2;
update paper_accounts set cash = 49000.01;
select is(pg_temp.entry(1, 5000, 4997.5), 'ACCEPTED', 'day loss $999.99: below 2 %');
update paper_accounts set cash = 49000;
select is(pg_temp.entry(1, 5000, 4997.5), 'MAX_DAILY_LOSS_PCT', 'day loss $1,000: 2 % reached');
update paper_accounts set cash = 48999;
select is(pg_temp.entry(1, 5000, 4997.5), 'MAX_DAILY_LOSS_PCT', 'day loss $1,001: above 2 %');
update paper_positions set quantity = 1, average_price = 5000, mark_price = 5010, unrealized_pnl = 500
 where account_id = :'account';
insert into paper_positions (account_id, instrument, quantity, average_price, mark_price, unrealized_pnl)
select :'account', 'ES', 1, 5000, 5010, 500 where not exists (select 1 from paper_positions where account_id = :'account');
select is(pg_temp.entry(1, 5000, 4997.5), 'ACCEPTED', 'unrealised PnL counts: $49,499 equity is a $501 loss, below 2 %');
select pg_temp.position(0);
update paper_positions set unrealized_pnl = 0;
update risk_limits set max_daily_loss_usd = 1500, max_daily_loss_pct = 3;
update paper_accounts set cash = 50000;

-- Orders per minute (rejected orders count too), errors per session.
update risk_limits set max_orders_per_minute = (select count(*) from paper_orders where created_at > now() - interval '60 seconds') + 2;
select is(pg_temp.entry(1, 5000, 4997.5), 'ACCEPTED', 'orders per minute: below');
select is(pg_temp.entry(1, 5000, 4997.5), 'ACCEPTED', 'orders per minute: at the limit');
select is(pg_temp.entry(1, 5000, 4997.5), 'ORDERS_PER_MINUTE', 'orders per minute: above');
update risk_limits set max_orders_per_minute = 1000;
insert into paper_runs (account_id, source, error_count) values (:'account', 'test', 4) returning id as run \gset
select is(pg_temp.entry(1, 5000, 4997.5, null, 'BUY', :'run'), 'ACCEPTED', '4 errors of 5: below');
update paper_runs set error_count = 5;
select is(pg_temp.entry(1, 5000, 4997.5, null, 'BUY', :'run'), 'ACCEPTED', '5 errors of 5: at');
update paper_runs set error_count = 6;
select is(pg_temp.entry(1, 5000, 4997.5, null, 'BUY', :'run'), 'ERRORS_PER_SESSION', '6 errors of 5: above');

-- The lifecycle: each transition a row; a rejection has its reason and an event.
select is((submit_paper_order(:'account', null, 'life-1', 'ES', 'ENTRY', 'BUY', 1, 5000, 4997.5)) ->> 'status', 'ACCEPTED', 'accepted');
select is((select array_agg(to_status || ':' || reason_code order by e.id) from paper_order_events e
             join paper_orders o on o.id = e.order_id where o.client_order_id = 'life-1'),
          array['SUBMITTED:SUBMITTED', 'ACCEPTED:RISK_PASSED'], 'SUBMITTED → ACCEPTED, each a row');
select is((submit_paper_order(:'account', null, 'life-1', 'ES', 'ENTRY', 'BUY', 2, 5000, 4990)) - 'updatedAt' - 'createdAt',
          (select paper_order_doc(o) from paper_orders o where client_order_id = 'life-1') - 'updatedAt' - 'createdAt'
              || '{"duplicate": true}', 'the same client order id returns the first order, marked duplicate');
select is((select count(*)::int from paper_order_events e join paper_orders o on o.id = e.order_id
            where o.client_order_id = 'life-1'), 2, 'and writes nothing');
select is((submit_paper_order(:'account', null, 'life-2', 'ES', 'ENTRY', 'BUY', 1, 5000, 4984)) ->> 'rejectCode',
          'MAX_LOSS_PER_TRADE', 'rejected with its code');
select is((select array_agg(to_status || ':' || reason_code order by e.id) from paper_order_events e
             join paper_orders o on o.id = e.order_id where o.client_order_id = 'life-2'),
          array['SUBMITTED:SUBMITTED', 'REJECTED:MAX_LOSS_PER_TRADE'], 'SUBMITTED → REJECTED, each a row');
select is((select payload ->> 'reason_code' || ' ' || (payload ->> 'limit') || ' ' || (payload ->> 'value')
             from activity_events where event_type = 'ORDER_REJECTED' and payload ->> 'client_order_id' = 'life-2'),
          'MAX_LOSS_PER_TRADE 750 800', 'ORDER_REJECTED names the limit and the value');
select throws_ok($$select transition_paper_order((select id from paper_orders where client_order_id = 'life-2'), 'ACCEPTED', 'X')$$,
                 '22023', 'INVALID_ORDER_TRANSITION', 'a rejected order stays rejected');
select throws_ok($$select submit_paper_order((select id from paper_accounts where name = 't'), null, 'bad', 'ES', 'ENTRY', 'BUY', 0, 5000, 4990)$$,
                 '22023', 'INVALID_ORDER', 'quantity 0 is bad input');
select throws_ok($$select submit_paper_order((select id from paper_accounts where name = 't'), null, 'bad', 'NOPE', 'ENTRY', 'BUY', 1, 5000, 4990)$$,
                 '22023', 'INVALID_ORDER', 'an unknown instrument is bad input');
select is((select count(*)::int from paper_orders where client_order_id = 'bad'), 0, 'bad input writes nothing');

-- Exits reduce a position and face no other limit.
select is((submit_paper_order(:'account', null, 'exit-1', 'ES', 'EXIT', 'SELL', 1, 5000)) ->> 'rejectCode',
          'EXIT_EXCEEDS_POSITION', 'no position: nothing to exit');
select pg_temp.position(1);
select is((submit_paper_order(:'account', null, 'exit-2', 'ES', 'EXIT', 'BUY', 1, 5000)) ->> 'rejectCode',
          'EXIT_EXCEEDS_POSITION', 'buying to exit a long would add to it');

-- The kill switch: working orders cancelled, entries refused, exits still flatten.
select is((set_kill_switch(true, 'api', 'test')) ->> 'cancelledOrders', '1', 'engaging cancels the working order');
select is((select status from paper_orders where client_order_id = 'life-1'), 'CANCELLED', 'the working order is cancelled');
select is((select reason_code from paper_order_events e join paper_orders o on o.id = e.order_id
            where o.client_order_id = 'life-1' order by e.id desc limit 1), 'KILL_SWITCH', 'with reason KILL_SWITCH');
select is(pg_temp.entry(1, 5000, 4997.5), 'KILL_SWITCH', 'entries are refused');
select is((submit_paper_order(:'account', null, 'exit-3', 'ES', 'EXIT', 'SELL', 1, 5000)) ->> 'status', 'ACCEPTED',
          'an exit still flattens');
select is((set_kill_switch(true, 'file')) ->> 'changed', 'false', 'engaging again changes nothing');
select is((select count(*)::int from activity_events where event_type = 'KILL_SWITCH_ACTIVATED'
            and payload ->> 'source' = 'api' and payload ->> 'cancelled_orders' = '1'), 1, 'KILL_SWITCH_ACTIVATED with its source');
select set_kill_switch(false, 'api');
select is(pg_temp.entry(1, 5000, 4997.5), 'ACCEPTED', 'released: entries pass again');

-- The circuit breaker holds for its day; LIVE is refused; no limits, no orders.
update paper_accounts set halted_day = trading_day, halt_reason = '5 consecutive losses';
select is(pg_temp.entry(1, 5000, 4997.5), 'CIRCUIT_BREAKER', 'halted for today');
select begin_paper_day(:'account', '2026-12-04');
select is(pg_temp.entry(1, 5000, 4997.5), 'ACCEPTED', 'a new day ends the halt');
select is((submit_paper_order(:'account', null, 'live-1', 'ES', 'ENTRY', 'BUY', 1, 5000, 4997.5, null, null, 'live')) ->> 'rejectCode',
          'LIVE_DISABLED', 'live is fail-closed');
delete from risk_limits where env = 'paper';
select is(pg_temp.entry(1, 5000, 4997.5), 'NO_LIMITS', 'an account without paper limits cannot trade');

-- Margins: the spec's default seeds a new instrument; a DBA's figure survives a reseed.
select seed_starter_pack('[{"symbol":"MES","name":"Micro E-mini S&P 500","tick_size":0.25,"multiplier":5,"commission_per_side":0.57,"exchange":"CME","initial_margin":2400}]', '[]', false);
select is((select initial_margin from instruments where symbol = 'MES'), 2400::numeric, 'the spec''s margin seeds a new instrument');
update instruments set initial_margin = 2750 where symbol = 'MES';
select seed_starter_pack('[{"symbol":"MES","name":"Micro E-mini S&P 500","tick_size":0.25,"multiplier":5,"commission_per_side":0.57,"exchange":"CME","initial_margin":2400}]', '[]', false);
select is((select initial_margin from instruments where symbol = 'MES'), 2750::numeric, 'a margin a DBA set is kept');

select * from finish();
rollback;
