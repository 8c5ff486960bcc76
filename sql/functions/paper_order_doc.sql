-- One paper order as the API and the runner see it.
create or replace function paper_order_doc(p_order paper_orders) returns jsonb
language sql stable as $$
    select jsonb_strip_nulls(jsonb_build_object(
        'id', p_order.id, 'accountId', p_order.account_id, 'runId', p_order.run_id,
        'clientOrderId', p_order.client_order_id, 'instrument', p_order.instrument, 'intent', p_order.intent,
        'side', p_order.side, 'quantity', p_order.quantity, 'referencePrice', p_order.reference_price,
        'stopPrice', p_order.stop_price, 'targetPrice', p_order.target_price, 'entryReason', p_order.entry_reason,
        'status', p_order.status, 'filledQuantity', p_order.filled_quantity,
        'averageFillPrice', p_order.average_fill_price, 'rejectCode', p_order.reject_code,
        'rejectMessage', p_order.reject_message, 'createdAt', p_order.created_at, 'updatedAt', p_order.updated_at))
$$;
