// Run by programs.sh under Node.js: loops hot enough for V8 to compile them (TurboFan), GC.
const n = Number(process.argv[2] || 100000);
let h = 0;
for (let i = 0; i < n; i++) h = (Math.imul(h, 31) + i * i) | 0;
console.log('hash', h);
const m = new Map();
for (let i = 0; i < n; i++) m.set('k' + (i % 5000), (m.get('k' + (i % 5000)) || 0) + i);
let s = 0;
for (const v of m.values()) s += v;
console.log('map', m.size, s);
const arr = new Float64Array(n);
for (let i = 0; i < n; i++) arr[i] = Math.sin(i) * 1000;
arr.sort();
console.log('sorted', arr[0].toFixed(6), arr[n - 1].toFixed(6));
const objs = [];
for (let i = 0; i < n / 10; i++) objs.push({ id: i, name: 'o' + i, tags: ['a' + (i % 3)] });
const txt = JSON.stringify(objs);
console.log('json', txt.length, JSON.parse(txt).filter(o => /7$/.test(o.name)).length);
