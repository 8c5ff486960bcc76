-- Whether a paper order in p_status is still working: it may still fill or be
-- cancelled (SUBMITTED, ACCEPTED, PARTIALLY_FILLED). The one home of that list:
-- margin reserved, the kill switch's cancellations, cancel_paper_order, the account
-- page and the runner all ask here. p_fillable: only the statuses a fill may book
-- against (ACCEPTED, PARTIALLY_FILLED: a SUBMITTED order has not been judged yet).
create or replace function paper_order_working(p_status text, p_fillable boolean default false) returns boolean
language sql immutable as $$
    select p_status in ('ACCEPTED', 'PARTIALLY_FILLED') or (p_status = 'SUBMITTED' and not p_fillable)
$$;
