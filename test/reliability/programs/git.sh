# Run by programs.sh (fixed author, dates and no user config, so two runs produce the same objects).
set -e
git init -q -b main repo
cd repo
for i in $(seq 1 10); do seq 1 $((i * 100)) > "file$i.txt"; done
git add . && git commit -q -m "first"
for i in $(seq 11 20); do printf 'line %s\n' $(seq 1 $i) > "file$i.txt"; done
git add . && git commit -q -m "second"
git checkout -q -b topic
for i in $(seq 21 30); do echo "topic $i" > "file$i.txt"; done
sed -i 's/^5$/five/' file3.txt
git add . && git commit -q -m "topic work"
git checkout -q main
echo change >> file1.txt && git commit -q -am "main work"
git merge -q --no-edit topic
git log --oneline --graph --all
git diff HEAD~2 --stat
git show --stat HEAD~1
git gc -q
git fsck --full --strict 2>&1
git count-objects -v | grep -v size
git rev-parse HEAD HEAD^{tree}
