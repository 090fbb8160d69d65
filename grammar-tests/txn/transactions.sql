-- case: begin
BEGIN
-- expect:
transaction: begin

-- case: start_transaction_repeatable_read
START TRANSACTION ISOLATION LEVEL REPEATABLE READ
-- expect:
transaction: begin

-- case: commit
COMMIT
-- expect:
transaction: commit

-- case: end
END
-- expect:
transaction: commit

-- case: rollback
ROLLBACK
-- expect:
transaction: rollback

-- case: abort
ABORT
-- expect:
transaction: rollback
