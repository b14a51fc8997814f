-- 015 an order's codes in line order from indexes, and the version of the municipalities' names.
-- The order page, support's page of an order, codes.csv and the voucher PDF list an order's codes by line
-- (order_lines.position), then by id.  Before, the order's 10,000 codes
-- were read and sorted on every view of a page of 200 (USE TEMP B-TREE FOR ORDER BY); now the lines are walked
-- by position and each line's codes by id, so a page reads its offset plus 200 index entries and stops.

-- An order's lines by position (the outer loop of ORDER_CODES).
CREATE INDEX order_lines_position ON order_lines(order_id, position);

-- A line's codes, by id (the inner loop of ORDER_CODES).
CREATE INDEX vouchers_order_line ON vouchers(order_line_id);

-- The account pages (/admin/konten, /admin/konten/neu) suggest every municipality's GKZ and name in a <datalist>
-- (2,100 options); its markup is rendered once per version of this counter and kept by each worker, as the
-- catalog's is per catalog_version.  The triggers bump it in the same statement as every change of a
-- municipality's GKZ or name, so a kept list is never older than the request's own read of the version.
CREATE TABLE municipality_names_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO municipality_names_version (id, version) VALUES (1, 1);
CREATE TRIGGER municipality_names_ins AFTER INSERT ON municipalities
BEGIN UPDATE municipality_names_version SET version = version + 1; END;
CREATE TRIGGER municipality_names_upd AFTER UPDATE OF gkz, name ON municipalities
WHEN OLD.gkz IS NOT NEW.gkz OR OLD.name IS NOT NEW.name BEGIN UPDATE municipality_names_version SET version = version + 1; END;
CREATE TRIGGER municipality_names_del AFTER DELETE ON municipalities
BEGIN UPDATE municipality_names_version SET version = version + 1; END;
