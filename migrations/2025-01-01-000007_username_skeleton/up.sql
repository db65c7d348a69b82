-- Usernames become unique by their look-alike key, so that `aIice` (capital i) or `a1ice`
-- cannot register beside `alice`. The key is computed by the domain (Username::skeleton) and
-- written with each new account; the name itself is still stored and shown as typed, and lookups
-- by username still use users_username_lower_key.
--
-- authd_username_skeleton computes the same key in SQL for what a username may hold (ASCII
-- letters, digits, `_`, `-`), to fill the column of existing accounts here and to let an operator
-- find look-alikes by hand. An adapter test checks it against the Rust key on every allowed
-- character and on thousands of random names.
-- The classes: {1 I i L l} are written `i`, {0 O o} `o`, `m` and `M` are written `rn`.
-- COLLATE "C": lower() under a Turkish locale would turn `I` into a dotless i.
CREATE FUNCTION authd_username_skeleton(name text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT replace(translate(lower(name COLLATE "C"), '01l', 'oii'), 'm', 'rn') $$;

ALTER TABLE users ADD COLUMN username_skeleton text;
UPDATE users SET username_skeleton = authd_username_skeleton(username);

-- Accounts registered before this migration may already have look-alike names. Which one keeps
-- its name is not for a migration to decide: stop, say so, and let the operator rename (see
-- docs/postgres.md, "Upgrading to look-alike usernames"). The message counts them but quotes no
-- username: migration errors end up in logs.
DO $$
DECLARE
    groups  bigint;
    clashes bigint;
BEGIN
    SELECT count(*), coalesce(sum(n), 0) INTO groups, clashes
    FROM (SELECT count(*) AS n FROM users GROUP BY username_skeleton HAVING count(*) > 1) AS g;
    IF groups > 0 THEN
        RAISE EXCEPTION 'cannot make usernames unique by look-alike key: % accounts in % groups have usernames that look alike (as alice, aIice and a1ice do); rename all but one account of each group, then start again (docs/postgres.md, "Upgrading to look-alike usernames")', clashes, groups
            USING ERRCODE = 'unique_violation';
    END IF;
END
$$;

ALTER TABLE users ALTER COLUMN username_skeleton SET NOT NULL;
-- The adapter maps a violation of this index to USERNAME_EXISTS by its name: keep it.
CREATE UNIQUE INDEX users_username_skeleton_key ON users (username_skeleton);
