// SPDX-License-Identifier: Apache-2.0
// UsageFlow — C++ libprotobuf side of the protobuf codec benchmark (see bench/protobuf/run.sh).
//
// Modes:
//   bench --write-dataset FILE [--count N]   generate the deterministic data set, length-prefixed
//   bench --input FILE [--rounds R] [--round-ms MS]
//                                            decode/encode throughput over the data set
//   bench --input FILE --profile OPERATION [--passes N]
//                                            one operation only, a fixed number of passes (callgrind)
//   bench --verify ORIGINAL REENCODED        check that REENCODED (Swift's re-encoding) parses to
//                                            messages equal to ORIGINAL and matches C++'s own
//                                            deterministic serialization byte for byte
//
// The data set file is a sequence of records, each a varint length followed by that many bytes
// of a serialized usageflow.bench.v1.UsageRecord. It is the one source of records for both
// sides: the Swift benchmark (bench/ProtoBench) reads the same file, so both decode the same
// bytes.
//
// Build: g++ -O2 -std=c++17 -I GEN bench.cc GEN/usageflow/bench/v1/usage_record.pb.cc \
//            $(pkg-config --cflags --libs protobuf)

#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/stubs/common.h>
#include <google/protobuf/util/message_differencer.h>

#include "usageflow/bench/v1/usage_record.pb.h"

using usageflow::bench::v1::UsageRecord;

namespace {

// ---------------------------------------------------------------------------------------------
// Deterministic data set.

struct SplitMix64 {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return next() % n; }
};

const char* const kHex = "0123456789abcdef";

std::string uuid(SplitMix64& rng) {
  std::string s;
  for (int i = 0; i < 32; i++) {
    if (i == 8 || i == 12 || i == 16 || i == 20) s += '-';
    s += kHex[rng.below(16)];
  }
  return s;
}

std::string alnum(SplitMix64& rng, size_t length) {
  static const char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string s;
  for (size_t i = 0; i < length; i++) s += kChars[rng.below(sizeof(kChars) - 1)];
  return s;
}

std::string digits(SplitMix64& rng, size_t length) {
  std::string s;
  for (size_t i = 0; i < length; i++) s += char('0' + rng.below(10));
  if (s.size() > 1 && s[0] == '0') s[0] = '1';
  return s;
}

// Product names, some with non-ASCII text (UTF-8), of varied length.
const char* const kProducts[] = {
    "Microsoft 365 Business Standard",
    "Azure Reserved VM Instance D4s v5 (1 year)",
    "Büro-Lizenz Premium für Österreich",
    "Cloud Backup 500 GB",
    "データ転送 (アジア太平洋)",
    "Licence annuelle — édition entreprise",
    "GPU",
    "Serverless Functions: 1M invocations, tiered pricing with regional surcharge",
    "Хранилище объектов, стандартный класс",
    "Support 24/7 🚀 Gold",
};
const char* const kUnits[] = {"EA", "HOUR", "GB", "GB-MONTH", "Lizenz/Monat", "個", "1K-REQUESTS"};
const char* const kRegions[] = {"eu-west-1", "us-east-2", "ap-northeast-1", "sa-east-1", "me-central-1"};
const char* const kChannels[] = {"direct", "reseller", "marketplace", "partner-led (Tier 2)"};
const char* const kNotes[] = {
    "",
    "prorated",
    "credit applied after dispute #4711",
    "Korrektur nach Zählerstand-Prüfung",
    "月末締め",
    "migrated from legacy billing system; original line kept for audit trail",
};

template <size_t N>
const char* pick(SplitMix64& rng, const char* const (&items)[N]) {
  return items[rng.below(N)];
}

UsageRecord makeRecord(SplitMix64& rng, int index) {
  UsageRecord r;
  r.set_record_id(uuid(rng));
  r.set_usage_file_id("UF-" + digits(rng, 4 + rng.below(8)));
  r.set_item_id("ITEM-" + alnum(rng, 6 + rng.below(10)));
  r.set_item_mpn(pick(rng, kProducts));
  r.set_subscription_id("SUB-" + uuid(rng).substr(0, 8 + rng.below(20)));
  // Decimal quantity: 1–7 integer digits, 0–6 fraction digits ("1234.56789").
  std::string quantity = digits(rng, 1 + rng.below(7));
  size_t fraction = rng.below(7);
  if (fraction > 0) quantity += "." + digits(rng, fraction);
  r.set_quantity(quantity);
  r.set_unit(pick(rng, kUnits));
  int64_t start = 1700000000 + int64_t(rng.below(40000000));
  r.mutable_period_start()->set_seconds(start);
  if (rng.below(2)) r.mutable_period_start()->set_nanos(int32_t(rng.below(1000000000)));
  r.mutable_period_end()->set_seconds(start + 3600 * int64_t(1 + rng.below(24 * 31)));
  r.mutable_period_end()->set_nanos(int32_t(rng.below(1000) * 1000000));
  r.set_status(usageflow::bench::v1::UsageStatus(rng.below(5)));
  if (rng.below(4) != 0) r.set_external_billing_id("INV-" + digits(rng, 6 + rng.below(10)) + "/" + alnum(rng, 3));
  r.set_category_id("cat-" + alnum(rng, 2 + rng.below(6)));
  (*r.mutable_params())["region"] = pick(rng, kRegions);
  (*r.mutable_params())["channel"] = pick(rng, kChannels);
  (*r.mutable_params())["note"] = pick(rng, kNotes);
  r.set_sequence(int64_t(index) * 7919 + int64_t(rng.below(1u << 20)));
  r.set_revision(uint32_t(rng.below(4) == 0 ? rng.below(300) : 0));
  return r;
}

// ---------------------------------------------------------------------------------------------
// Files.

std::string readFile(const char* path) {
  FILE* f = std::fopen(path, "rb");
  if (!f) {
    std::fprintf(stderr, "bench: cannot open %s\n", path);
    std::exit(2);
  }
  std::string data;
  char buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) data.append(buffer, n);
  std::fclose(f);
  return data;
}

void writeFile(const char* path, const std::string& data) {
  FILE* f = std::fopen(path, "wb");
  if (!f || std::fwrite(data.data(), 1, data.size(), f) != data.size() || std::fclose(f) != 0) {
    std::fprintf(stderr, "bench: cannot write %s\n", path);
    std::exit(2);
  }
}

void appendVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += char(uint8_t(v) | 0x80);
    v >>= 7;
  }
  out += char(uint8_t(v));
}

// Splits a length-prefixed file into (offset, length) spans.
std::vector<std::pair<size_t, size_t>> splitRecords(const std::string& data) {
  std::vector<std::pair<size_t, size_t>> spans;
  size_t pos = 0;
  while (pos < data.size()) {
    uint64_t length = 0;
    int shift = 0;
    while (true) {
      if (pos >= data.size() || shift > 63) {
        std::fprintf(stderr, "bench: malformed length prefix\n");
        std::exit(2);
      }
      uint8_t byte = uint8_t(data[pos++]);
      length |= uint64_t(byte & 0x7F) << shift;
      if (byte < 0x80) break;
      shift += 7;
    }
    if (length > data.size() - pos) {
      std::fprintf(stderr, "bench: truncated record\n");
      std::exit(2);
    }
    spans.emplace_back(pos, size_t(length));
    pos += length;
  }
  return spans;
}

std::string deterministic(const UsageRecord& r) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    r.SerializeToCodedStream(&coded);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Timing.

double nowSeconds() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// Keeps results observable so the optimizer cannot drop the measured work.
volatile uint64_t gSink;

struct Stats {
  double bestRate = 0, medianRate = 0;
};

// Runs `pass` (one pass over all records, returning a checksum) `rounds` times, each round as
// many passes as fill about `roundMs`, after a warm-up; returns messages per second.
// With --profile NAME, only the operation NAME runs, for a fixed number of passes (for callgrind).
const char* gProfile = nullptr;
int gProfilePasses = 200;

template <class Pass>
Stats measure(const char* name, size_t messages, size_t bytes, int rounds, double roundMs, Pass pass) {
  uint64_t checksum = 0;
  if (gProfile) {
    if (std::strcmp(gProfile, name) != 0) return Stats();
    for (int p = 0; p < gProfilePasses; p++) checksum += pass();
    std::printf("PROFILE cpp %s %d passes x %zu records, checksum %" PRIu64 "\n", name, gProfilePasses, messages,
                checksum);
    return Stats();
  }
  // Warm-up, and calibration of passes per round.
  double t0 = nowSeconds();
  int warm = 0;
  while (nowSeconds() - t0 < 0.2 || warm < 3) {
    checksum += pass();
    warm++;
  }
  double perPass = (nowSeconds() - t0) / warm;
  int passes = std::max(1, int(roundMs / 1000.0 / perPass));
  std::vector<double> rates;
  for (int r = 0; r < rounds; r++) {
    double start = nowSeconds();
    for (int p = 0; p < passes; p++) checksum += pass();
    double elapsed = nowSeconds() - start;
    rates.push_back(double(messages) * passes / elapsed);
  }
  std::sort(rates.begin(), rates.end());
  Stats s;
  s.bestRate = rates.back();
  s.medianRate = rates[rates.size() / 2];
  gSink = checksum;
  double mbPerMessage = double(bytes) / double(messages) / 1e6;
  std::printf("RESULT cpp %-22s best %12.0f msg/s %8.1f MB/s  median %12.0f msg/s %8.1f MB/s  (%d rounds x %d passes, checksum %" PRIu64 ")\n",
              name, s.bestRate, s.bestRate * mbPerMessage, s.medianRate, s.medianRate * mbPerMessage, rounds,
              passes, checksum);
  std::fflush(stdout);
  return s;
}

uint64_t digest(const UsageRecord& r) {
  return uint64_t(r.record_id().size()) + uint64_t(r.quantity().size()) + uint64_t(r.params_size()) +
         uint64_t(r.revision()) + uint64_t(r.period_end().seconds());
}

int runBenchmark(const char* input, int rounds, double roundMs) {
  const std::string data = readFile(input);
  const auto spans = splitRecords(data);
  const size_t n = spans.size();
  size_t payload = 0;
  for (auto& s : spans) payload += s.second;

  std::vector<UsageRecord> records(n);
  for (size_t i = 0; i < n; i++) {
    if (!records[i].ParseFromArray(data.data() + spans[i].first, int(spans[i].second))) {
      std::fprintf(stderr, "bench: record %zu does not parse\n", i);
      return 1;
    }
  }
  std::printf("INFO cpp records %zu payload_bytes %zu libprotobuf %s\n", n, payload,
              google::protobuf::internal::VersionString(GOOGLE_PROTOBUF_VERSION).c_str());

  // Decode into a fresh message each time: what the Swift side (a new value per decode) does.
  measure("decode_fresh", n, payload, rounds, roundMs, [&]() -> uint64_t {
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
      UsageRecord m;
      m.ParseFromArray(data.data() + spans[i].first, int(spans[i].second));
      sum += digest(m);
    }
    return sum;
  });

  // Decode into one reused message: ParseFromArray clears it first, keeping string and map
  // storage, which is libprotobuf's usual fast path.
  UsageRecord reused;
  measure("decode_reused", n, payload, rounds, roundMs, [&]() -> uint64_t {
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
      reused.ParseFromArray(data.data() + spans[i].first, int(spans[i].second));
      sum += digest(reused);
    }
    return sum;
  });

  // Encode into one reused buffer (ByteSizeLong, then SerializeToArray).
  std::vector<uint8_t> buffer(1 << 16);
  measure("encode_to_buffer", n, payload, rounds, roundMs, [&]() -> uint64_t {
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
      // One size pass inside SerializeToArray; the size it computed is cached on the message.
      records[i].SerializeToArray(buffer.data(), int(buffer.size()));
      size_t size = size_t(records[i].GetCachedSize());
      sum += size + buffer[size - 1];
    }
    return sum;
  });

  // Encode into a new std::string each time.
  measure("encode_new_string", n, payload, rounds, roundMs, [&]() -> uint64_t {
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
      std::string out = records[i].SerializeAsString();
      sum += out.size() + uint8_t(out.back());
    }
    return sum;
  });

  // Deterministic encoding (map entries sorted by key, as ProtoWire always does), for reference.
  measure("encode_deterministic", n, payload, rounds, roundMs, [&]() -> uint64_t {
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
      size_t size = records[i].ByteSizeLong();
      {
        google::protobuf::io::ArrayOutputStream stream(buffer.data(), int(size));
        google::protobuf::io::CodedOutputStream coded(&stream);
        coded.SetSerializationDeterministic(true);
        records[i].SerializeWithCachedSizes(&coded);
      }
      sum += size + buffer[size - 1];
    }
    return sum;
  });
  return 0;
}

int writeDataset(const char* path, int count) {
  SplitMix64 rng{0x5EED0F05A6EULL};
  std::string out;
  size_t payload = 0;
  for (int i = 0; i < count; i++) {
    std::string bytes = deterministic(makeRecord(rng, i));
    appendVarint(out, bytes.size());
    out += bytes;
    payload += bytes.size();
  }
  writeFile(path, out);
  std::printf("INFO cpp wrote %d records, %zu payload bytes (%.1f bytes/record) to %s\n", count, payload,
              double(payload) / count, path);
  return 0;
}

int verify(const char* originalPath, const char* reencodedPath) {
  const std::string original = readFile(originalPath);
  const std::string reencoded = readFile(reencodedPath);
  const auto a = splitRecords(original);
  const auto b = splitRecords(reencoded);
  if (a.size() != b.size()) {
    std::fprintf(stderr, "verify: %zu records vs %zu\n", a.size(), b.size());
    return 1;
  }
  size_t identical = 0, sizeA = 0, sizeB = 0;
  for (size_t i = 0; i < a.size(); i++) {
    UsageRecord x, y;
    if (!x.ParseFromArray(original.data() + a[i].first, int(a[i].second)) ||
        !y.ParseFromArray(reencoded.data() + b[i].first, int(b[i].second))) {
      std::fprintf(stderr, "verify: record %zu does not parse\n", i);
      return 1;
    }
    if (!google::protobuf::util::MessageDifferencer::Equals(x, y)) {
      std::fprintf(stderr, "verify: record %zu differs after the Swift round trip\n", i);
      return 1;
    }
    sizeA += a[i].second;
    sizeB += b[i].second;
    std::string mine = deterministic(x);
    if (mine.size() == b[i].second && std::memcmp(mine.data(), reencoded.data() + b[i].first, mine.size()) == 0)
      identical++;
  }
  std::printf("VERIFY ok: %zu records equal after Swift decode+encode; payload %zu vs %zu bytes; "
              "%zu/%zu byte-identical to C++ deterministic serialization\n",
              a.size(), sizeA, sizeB, identical, a.size());
  return (sizeA == sizeB && identical == a.size()) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  GOOGLE_PROTOBUF_VERIFY_VERSION;
  const char* writePath = nullptr;
  const char* input = nullptr;
  const char* verifyA = nullptr;
  const char* verifyB = nullptr;
  int count = 1000, rounds = 11;
  double roundMs = 100;
  for (int i = 1; i < argc; i++) {
    std::string arg = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench: %s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--write-dataset") writePath = value();
    else if (arg == "--count") count = std::atoi(value());
    else if (arg == "--input") input = value();
    else if (arg == "--rounds") rounds = std::atoi(value());
    else if (arg == "--round-ms") roundMs = std::atof(value());
    else if (arg == "--profile") gProfile = value();
    else if (arg == "--passes") gProfilePasses = std::atoi(value());
    else if (arg == "--verify") {
      verifyA = value();
      verifyB = value();
    } else {
      std::fprintf(stderr, "bench: unknown argument %s\n", arg.c_str());
      return 2;
    }
  }
  int status = 2;
  if (writePath) status = writeDataset(writePath, count);
  else if (verifyA) status = verify(verifyA, verifyB);
  else if (input) status = runBenchmark(input, rounds, roundMs);
  else std::fprintf(stderr, "usage: bench --write-dataset FILE | --input FILE | --verify ORIGINAL REENCODED\n");
  google::protobuf::ShutdownProtobufLibrary();
  return status;
}
