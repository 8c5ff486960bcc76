-- Booking fills in the paper ledger: positions, average prices, cash, the order's
-- PARTIALLY_FILLED → FILLED transitions, refused fills that write nothing, marks and
-- equity samples, and the circuit breaker tripping on a losing streak or the day's loss.
begin;
set client_min_messages = warning;
select plan(27);

truncate paper_order_events, paper_fills, paper_orders, paper_positions, paper_equity, paper_runs, risk_limits,
         paper_accounts, activity_events, bots, archetypes, instruments cascade;
update kill_switch set engaged = false, source = null, reason = null;
insert into instruments (symbol, name, tick_size, multiplier, commission_per_side, exchange, initial_margin)
values ('ES', 'E-mini S&P 500', 0.25, 50, 2.15, 'CME', 5000);
select create_paper_account('f', null, 50000) as account \gset
update risk_limits set max_orders_per_minute = 1000, max_position_contracts = 4, max_loss_per_trade_usd = 5000;
select begin_paper_day(:'account', '2026-12-03');

create function pg_temp.order(p_id text, p_intent text, p_side text, p_qty int, p_stop numeric default null) returns uuid
language sql as $$
    select (submit_paper_order((select id from paper_accounts where name = 'f'), null, p_id, 'ES', p_intent, p_side,
                               p_qty, 5000, coalesce(p_stop, case p_side when 'BUY' then 4990 else 5010 end))->> 'id')::uuid
$$;
select pg_temp.order('e1', 'ENTRY', 'BUY', 2) as e1 \gset

-- An entry in two partial fills.
select is((record_paper_fill(:'e1', 1, 5000, 2.15, now())) #>> '{order,status}', 'PARTIALLY_FILLED', 'one of two contracts: partially filled');
select is((select quantity from paper_positions where account_id = :'account'), 1, 'long 1');
select is((record_paper_fill(:'e1', 1, 5001, 2.15, now())) #>> '{order,status}', 'FILLED', 'the second: filled');
select is((select quantity || ' @ ' || average_price from paper_positions where account_id = :'account'), '2 @ 5000.5',
          'long 2 at the average of the fills');
select is((select average_fill_price from paper_orders where id = :'e1'), 5000.5, 'the order''s average fill price');
select is((select cash from paper_accounts where id = :'account'), 49995.70, 'cash paid the two fees');
select is((select array_agg(to_status order by id) from paper_order_events where order_id = :'e1'),
          array['SUBMITTED', 'ACCEPTED', 'PARTIALLY_FILLED', 'FILLED'], 'every transition a row');
select throws_ok(format($$select record_paper_fill(%L, 1, 5000, 2.15, now())$$, :'e1'), '22023', 'FILL_NOT_WORKING',
                 'a filled order takes no more fills');

-- Marks and equity samples.
select ok(mark_paper_position(:'account', 'ES', 5010, 950), 'the runner marks the position');
select is(sample_paper_equity(:'account'), 50945.70, 'equity = cash + unrealised');

-- Closing: money must come with the closing fill, and only with it.
select pg_temp.order('x1', 'EXIT', 'SELL', 2) as x1 \gset
select throws_ok(format($$select record_paper_fill(%L, 1, 5010, 2.15, now())$$, :'x1'), '22023', 'FILL_MONEY',
                 'a reducing fill needs its realised PnL');
select throws_ok(format($$select record_paper_fill(%L, 3, 5010, 2.15, now(), 475)$$, :'x1'), '22023', 'INVALID_FILL',
                 'more than the order''s unfilled contracts');
select throws_ok(format($$select record_paper_fill(%L, 2, 5010, 4.30, now(), 950)$$, :'x1'), '22023', 'FILL_MONEY',
                 'a flattening fill needs the trade''s PnL');
select is((select count(*)::int from paper_fills where order_id = :'x1'), 0, 'refused fills write nothing');
select is((record_paper_fill(:'x1', 2, 5010, 4.30, now(), 950, 936.70)) #>> '{position,quantity}', '0', 'flat');
select is((select cash from paper_accounts where id = :'account'), 50941.40, 'cash += realised − fee');
select is((select unrealized_pnl from paper_positions where account_id = :'account'), 0::numeric, 'flat: nothing unrealised');
select throws_ok(format($$select record_paper_fill(%L, 1, 5000, 2.15, now(), 10)$$, pg_temp.order('e2', 'ENTRY', 'BUY', 1)),
                 '22023', 'FILL_MONEY', 'an opening fill has no realised PnL');

-- The losing streak trips the breaker at max_consecutive_losses (2 here).
update risk_limits set max_consecutive_losses = 2;
create function pg_temp.round_trip(p_n int, p_trade numeric) returns jsonb language plpgsql as $$
declare v_e uuid; v_x uuid;
begin
    v_e := pg_temp.order('rt-e' || p_n, 'ENTRY', 'BUY', 1);
    perform record_paper_fill(v_e, 1, 5000, 2.15, now());
    v_x := pg_temp.order('rt-x' || p_n, 'EXIT', 'SELL', 1);
    return record_paper_fill(v_x, 1, 5000 + p_trade / 50, 2.15, now(), p_trade + 4.30, p_trade);
end $$;
select cancel_paper_order(id) from paper_orders where client_order_id = 'e2';
select is((pg_temp.round_trip(1, -100)) ->> 'halted', 'false', 'one loss: trading on');
select is((select consecutive_losses from paper_accounts where id = :'account'), 1, 'a streak of 1');
select is((pg_temp.round_trip(2, 50)) ->> 'halted', 'false', 'a win resets the streak');
select is((select consecutive_losses from paper_accounts where id = :'account'), 0, 'a streak of 0');
select pg_temp.round_trip(3, -100);
select is((pg_temp.round_trip(4, -100)) ->> 'halted', 'true', 'two losses in a row: halted');
select is((select payload ->> 'reason' from activity_events where event_type = 'CIRCUIT_BREAKER_TRIPPED'),
          '2 consecutive losing trades', 'CIRCUIT_BREAKER_TRIPPED says why');
select is((submit_paper_order(:'account', null, 'after-halt', 'ES', 'ENTRY', 'BUY', 1, 5000, 4990)) ->> 'rejectCode',
          'CIRCUIT_BREAKER', 'no new entries today');

-- A new day: trading resumes; the day's loss limit trips the breaker too.
select begin_paper_day(:'account', '2026-12-04');
update risk_limits set max_consecutive_losses = 10, max_daily_loss_usd = 150;
select is((pg_temp.round_trip(5, -100)) ->> 'halted', 'false', 'a new day: $100 lost, under $150');
select is((pg_temp.round_trip(6, -100)) ->> 'halted', 'true', '$200 lost: the day''s loss limit halts');

select * from finish();
rollback;
