// Runs tests/tools/http_test_server.py on 127.0.0.1 for the lifetime of a
// test: a real HTTP server (Range requests, dropped connections, corrupted
// bytes, error statuses), no mocks.
#pragma once
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

class TestHttpServer {
 public:
  TestHttpServer(const std::string& root, const std::string& log) : log_(log) {
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      close(out[0]);
      std::string script = std::string(CLIPSEARCH_SOURCE_DIR) + "/tests/tools/http_test_server.py";
      execl("/usr/bin/python3", "python3", script.c_str(), "--root", root.c_str(), "--log", log.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    // "PORT <n>\n", within 20 s.
    std::string line;
    pollfd p{out[0], POLLIN, 0};
    while (line.find('\n') == std::string::npos && poll(&p, 1, 20000) > 0) {
      char c[64];
      ssize_t n = read(out[0], c, sizeof c);
      if (n <= 0) break;
      line.append(c, size_t(n));
    }
    close(out[0]);
    if (line.rfind("PORT ", 0) == 0) port_ = std::stoi(line.substr(5));
  }
  ~TestHttpServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }

  bool ok() const { return port_ > 0; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/" + path;
  }
  // The server's request log, one JSON object per request. The server logs a
  // request after its last byte went out, so a client can be done first:
  // wait up to 5 s for `at_least` entries.
  std::vector<nlohmann::json> requests(size_t at_least = 0) const {
    std::vector<nlohmann::json> out;
    for (int tries = 0; tries < 50; ++tries) {
      out.clear();
      std::ifstream in(log_);
      for (std::string line; std::getline(in, line);)
        if (!line.empty() && line.back() == '}') out.push_back(nlohmann::json::parse(line));
      if (out.size() >= at_least) break;
      usleep(100 * 1000);
    }
    return out;
  }

 private:
  std::string log_;
  pid_t pid_ = -1;
  int port_ = 0;
};
