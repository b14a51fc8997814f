-- 015 an order's codes in line order from indexes: the order page, support's page of an order, codes.csv and the
-- voucher PDF list an order's codes by line (order_lines.position), then by id.  Before, the order's 10,000 codes
-- were read and sorted on every view of a page of 200 (USE TEMP B-TREE FOR ORDER BY); now the lines are walked
-- by position and each line's codes by id, so a page reads its offset plus 200 index entries and stops.

-- An order's lines by position (the outer loop of ORDER_CODES).
CREATE INDEX order_lines_position ON order_lines(order_id, position);

-- A line's codes, by id (the inner loop of ORDER_CODES).
CREATE INDEX vouchers_order_line ON vouchers(order_line_id);
