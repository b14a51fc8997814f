-- 013 the browser of a redemption (issue 12): the success page is shown again (a double click, Back and send)
-- only to the browser that redeemed the code, never to someone else who holds the code and guesses the
-- username.  A successful attempt keeps the BLAKE2b hash of the form's csrf token; that token is bound to the
-- browser's session or pre-login cookie (both HttpOnly), so only that browser's pages carry it.  The repeat
-- compares the token sent again with it (h_redeem.c), by the index on (code_hash, at).
ALTER TABLE redemption_attempts ADD COLUMN browser BLOB; -- 32 bytes on 'OK' rows; NULL on refusals and older rows
