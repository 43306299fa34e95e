# Run by programs.sh under /usr/bin/python3 with and without the sentinel.
import hashlib, json, re, sqlite3, threading, collections

data = [{"id": i, "name": "item%d" % i, "tags": ["t%d" % (i % 7), "x" * (i % 13)]} for i in range(20000)]
text = json.dumps(data, sort_keys=True)
print(len(text), hashlib.sha256(text.encode()).hexdigest())
back = json.loads(text)
print(sum(d["id"] for d in back))
words = re.findall(r"item(\d*7)\b", text)
print(len(words), words[:5])
db = sqlite3.connect(":memory:")
db.execute("create table t (id integer primary key, name text, tag text)")
db.executemany("insert into t values (?, ?, ?)", [(d["id"], d["name"], d["tags"][0]) for d in data])
print(db.execute("select tag, count(*), sum(id) from t group by tag order by tag").fetchall())
results = collections.Counter()
lock = threading.Lock()
def work(k):
    c = collections.Counter(hashlib.md5(("%d-%d" % (k, i)).encode()).hexdigest()[0] for i in range(5000))
    with lock:
        results.update(c)
ts = [threading.Thread(target=work, args=(k,)) for k in range(8)]
[t.start() for t in ts]
[t.join() for t in ts]
print(sorted(results.items()))
