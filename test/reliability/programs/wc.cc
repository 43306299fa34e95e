// Built by g++ and run by programs.sh: word frequencies with threads, maps, exceptions.
#include <algorithm>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

int main()
{
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    std::vector<std::string> words;
    std::istringstream in(text);
    for (std::string w; in >> w;) words.push_back(w);
    std::map<std::string, int> freq;
    std::mutex mu;
    std::vector<std::thread> ts;
    for (int t = 0; t < 4; t++)
        ts.emplace_back([&, t] {
            std::map<std::string, int> local;
            for (size_t i = t; i < words.size(); i += 4) local[words[i]]++;
            std::lock_guard<std::mutex> g(mu);
            for (auto &kv : local) freq[kv.first] += kv.second;
        });
    for (auto &t : ts) t.join();
    std::vector<std::pair<int, std::string>> top;
    for (auto &kv : freq) top.emplace_back(-kv.second, kv.first);
    std::sort(top.begin(), top.end());
    int caught = 0;
    for (int i = 0; i < 1000; i++) try {
            throw std::runtime_error("e" + std::to_string(i));
        } catch (const std::exception &e) {
            caught += e.what()[0] == 'e';
        }
    std::cout << words.size() << " words, " << freq.size() << " distinct, " << caught << " exceptions\n";
    for (size_t i = 0; i < 10 && i < top.size(); i++) std::cout << -top[i].first << " " << top[i].second << "\n";
}
