-- 004 certificates: one certificate per completed enrollment, with a snapshot of what it certifies.

-- A certificate issued when an enrollment was recorded completed (by CSV import, the support form or the LMS).
-- Names, title and hours are copied at issue time, so later changes to the account or the catalog do not alter
-- a certificate already handed out.  Certificates are never deleted.
CREATE TABLE certificates (
    id                INTEGER PRIMARY KEY,                          -- internal id; the PDF is /zertifikat/{id}.pdf
    number            TEXT NOT NULL UNIQUE                          -- public number 'Z-XXXX-XXXX-XXXX' (12 random
                      CHECK (length(number) = 16 AND number GLOB 'Z-????-????-????'), -- symbols of the code alphabet)
    enrollment_id     INTEGER NOT NULL UNIQUE REFERENCES enrollments(id), -- the completed enrollment it certifies
    issued_at         INTEGER NOT NULL,                             -- when it was issued (UTC epoch seconds)
    holder_name       TEXT NOT NULL,                                -- "first last" of the account at issue time
    municipality_name TEXT NOT NULL DEFAULT '',                     -- the holder's municipality at issue time
    course_title      TEXT NOT NULL,                                -- the course's title at issue time
    hours             INTEGER NOT NULL CHECK (hours >= 0),          -- the course's duration in hours at issue time
    completed_on      TEXT NOT NULL                                 -- 'YYYY-MM-DD' completion date, as on the enrollment
);
