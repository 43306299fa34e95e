-- Run by programs.sh under LuaJIT: hot loops become traces (machine code).
local t, s = {}, 0
for i = 1, 3000000 do s = (s + i * i) % 1000003 end
for i = 1, 100000 do t[#t + 1] = string.format("k%05d", (i * 7919) % 100000) end
table.sort(t)
print(s, #t, t[1], t[#t], jit and jit.version or "no jit")
