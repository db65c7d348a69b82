-- 1,000,000 accounts for the admin-search workload, straight in SQL (docs/benchmarks.md,
-- workload g; docs/postgres.md, "Admin user search"). Realistic shapes: usernames like
-- `maria_nguyen483921`, emails like `maria.nguyen483921@gmail.com`; two thirds at a dozen
-- large providers, the rest at 20,000 small company domains (`lumen-4821.example`); ~2 % pending,
-- 1 % suspended, 0.2 % moderators; created over three years, logged in or never. Every number
-- is derived from the row number, so two runs seed the same rows. One bcrypt hash ($1, of the
-- bench's password) for all: seeding takes a few minutes instead of days of bcrypt. $2: how many
-- accounts (at most 1,000,000, or the scrambled numbers repeat).
WITH first_names(a) AS (SELECT ARRAY[
    'james','mary','john','patricia','robert','jennifer','michael','linda','david','elizabeth',
    'william','barbara','richard','susan','joseph','jessica','thomas','sarah','charles','karen',
    'christopher','lisa','daniel','nancy','matthew','betty','anthony','sandra','mark','ashley',
    'donald','kimberly','steven','emily','paul','donna','andrew','michelle','joshua','carol',
    'kenneth','amanda','kevin','dorothy','brian','melissa','george','deborah','timothy','stephanie',
    'minh','anh','thu','huong','quang','tuan','hieu','trang','duc','phuong',
    'wei','jing','hui','xin','yan','ping','hao','yu','chen','jun',
    'sofia','lucas','mateo','valentina','santiago','camila','diego','isabella','pablo','lucia',
    'hans','greta','lukas','anna','felix','lena','jonas','sophie','paul','marie',
    'aarav','priya','rohan','ananya','vikram','kavya','arjun','divya','rahul','neha'
]), last_names(a) AS (SELECT ARRAY[
    'smith','johnson','williams','brown','jones','garcia','miller','davis','rodriguez','martinez',
    'hernandez','lopez','gonzalez','wilson','anderson','thomas','taylor','moore','jackson','martin',
    'lee','perez','thompson','white','harris','sanchez','clark','ramirez','lewis','robinson',
    'walker','young','allen','king','wright','scott','torres','nguyen','hill','flores',
    'green','adams','nelson','baker','hall','rivera','campbell','mitchell','carter','roberts',
    'tran','pham','hoang','phan','vu','dang','bui','do','ho','ngo',
    'wang','zhang','liu','yang','huang','zhao','wu','zhou','xu','sun',
    'mueller','schmidt','schneider','fischer','weber','meyer','wagner','becker','schulz','hoffmann',
    'silva','santos','oliveira','souza','costa','pereira','almeida','ferreira','carvalho','gomes',
    'patel','sharma','singh','kumar','gupta','mehta','reddy','iyer','nair','rao'
]), providers(a) AS (SELECT ARRAY[
    'gmail.com','yahoo.com','outlook.com','hotmail.com','icloud.com','proton.me',
    'gmx.de','web.de','yandex.ru','qq.com','naver.com','fastmail.com'
]), words(a) AS (SELECT ARRAY[
    'lumen','vertex','harbor','cobalt','summit','quartz','maple','orbit','nimbus','cedar',
    'falcon','ember','atlas','willow','zephyr','onyx','meridian','sable','juniper','tundra'
]), n AS (
    -- `k` is a scrambled, still unique, number per row (7919 is prime to 10^6).
    SELECT i, ((i::bigint * 7919) % 1000000)::int AS k FROM generate_series(1, $2::int) AS i
), named AS (
    SELECT n.i, n.k,
           f.a[1 + (n.k % 100)] AS first, l.a[1 + ((n.k / 100) % 100)] AS last,
           CASE WHEN n.i % 3 = 0
                THEN w.a[1 + (n.k % 20)] || '-' || ((n.k / 20) % 1000) || '.example'
                ELSE p.a[1 + ((n.k / 7) % 12)] END AS domain
    FROM n, first_names f, last_names l, providers p, words w
)
INSERT INTO users (id, email, username, username_skeleton, password_hash, first_name, last_name,
                   status, email_verified, roles, last_login, created_at, updated_at)
SELECT md5('bench-user-' || i)::uuid,
       first || '.' || last || k || '@' || domain,
       first || '_' || last || k,
       authd_username_skeleton(first || '_' || last || k),
       $1,
       initcap(first), initcap(last),
       CASE WHEN i % 50 = 0 THEN 'pending' WHEN i % 100 = 1 THEN 'suspended' ELSE 'active' END,
       i % 50 <> 0,
       CASE WHEN i % 500 = 7 THEN ARRAY['user', 'moderator'] ELSE ARRAY['user'] END,
       CASE WHEN i % 4 = 0 THEN NULL
            ELSE timestamptz '2026-01-01' - make_interval(secs => (k * 37) % 31536000) END,
       timestamptz '2023-01-01' + make_interval(secs => i * 94.6),
       timestamptz '2023-01-01' + make_interval(secs => i * 94.6)
FROM named
