-- 006 lists at real size: the indexes the admin lists and the support search are answered from
-- (2,100 municipalities, 200,000 accounts).

-- /admin/gemeinden pages by name (the GKZ breaks ties, so the order is stable).
CREATE INDEX municipalities_name ON municipalities(name, gkz);

-- Support finds an account by e-mail (any case), the admin list searches by the start of an e-mail or a name.
CREATE INDEX accounts_email ON accounts(email COLLATE NOCASE);
CREATE INDEX accounts_last_name ON accounts(last_name COLLATE NOCASE);
CREATE INDEX accounts_first_name ON accounts(first_name COLLATE NOCASE);

-- /admin/konten filtered by role or by municipality, in username order.
CREATE INDEX accounts_role_username ON accounts(role, username);
CREATE INDEX accounts_municipality_username ON accounts(municipality_id, username);
