-- Run by programs.sh through the sqlite3 shell.
create table a (id integer primary key, k integer, v text);
create table b (id integer primary key, a_id integer references a(id), w real);
with recursive n(i) as (select 1 union all select i + 1 from n where i < 20000)
insert into a select i, i % 97, printf('value-%06d', i * 7919 % 20000) from n;
insert into b select id, id, k * 1.5 from a where id % 3 = 0;
create index a_k on a(k);
create index b_a on b(a_id);
select k, count(*), min(v), max(v) from a group by k order by k limit 10;
select count(*), sum(w), avg(w) from a join b on b.a_id = a.id where a.k between 10 and 20;
select id, v, rank() over (partition by k order by v) r from a where k = 5 order by r limit 5;
select group_concat(v, ',') from (select v from a order by v desc limit 5);
update a set v = upper(v) where id % 1000 = 0;
delete from b where w > 100;
vacuum;
pragma integrity_check;
select count(*) from a where v like 'VALUE%';
