/* housekeeping — see housekeeping.h. */
#include "housekeeping.h"

#include "config.h"
#include "db.h"

int housekeeping_run(struct db *db, const struct config *cfg, const struct crypto_keys *keys, int64_t now)
{
    (void)keys; /* it sends no mail */
    int64_t ips_before = now - (int64_t)cfg->privacy_ip_retention_days * 86400;
    int status = db_begin(db);
    if (status == DB_OK)
        status = db_session_purge(db, now - (int64_t)cfg->security_session_idle_minutes * 60,
                                  now - (int64_t)cfg->security_session_max_hours * 3600);
    if (status == DB_OK)
        status = db_login_failure_purge(db, now - (cfg->limits_login_window_seconds > cfg->limits_verify_window_seconds
                                                        ? cfg->limits_login_window_seconds
                                                        : cfg->limits_verify_window_seconds));
    if (status == DB_OK)
        status = db_audit_erase_ips(db, ips_before);
    if (status == DB_OK)
        status = db_redemption_ip_erase(db, ips_before);
    if (status == DB_OK)
        status = db_redemption_block_lift_purge(db, ips_before);
    if (status == DB_OK)
        status = db_commit(db);
    if (status != DB_OK)
        db_rollback(db);
    return status;
}
