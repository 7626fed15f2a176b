#include "engine/store/pickle_codec.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/state/errors.hpp"
#include "engine/state/json_codec.hpp"
#include "engine/store/test/byte_damage.hpp"

namespace scenario::store {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

template <std::size_t N>
std::string_view bytes_of(const char (&s)[N]) {
  return {s, N - 1};
}

// Generated once with CPython 3.11 from this value (shared_a and shared_b are one list object):
//   shared = [1]
//   {'none': None, 't': True, 'f': False, 'small': 5, 'i16': 1000, 'i32': -70000,
//    'i64': 2**40, 'min64': -2**63, 'u64': 2**64 - 1, 'big': 2**100, 'negbig': -2**100 - 3,
//    'float': 1.5, 'negf': -0.25, 'whole': 2.0, 'str': 'h\u00e9llo \u20ac', 'long_str': 'x' * 300,
//    'bytes': b'\x00\xff', 'empty_bytes': b'', 'list': [1, [2, 3], []], 'tuple': (1, 'a'), 't0': (),
//    't4': (1, 2, 3, 4), 'dict': {1: 'one', (2, 3): 'pair'}, 'set': {1, 2}, 'fs': frozenset({'a'}),
//    'es': set(), 'shared_a': shared, 'shared_b': shared, 'dollar': {'$x': 1},
//    'nested': {'a': {'b': [{'c': None}]}}}
// pickle.dumps(composite, protocol=2) on CPython 3.11
constexpr char composite_p2[] =
    "\200\002}q\000(X\004\000\000\000noneq\001NX\001\000\000\000tq\002\210X\001\000\000\000fq\003\211"
    "X\005\000\000\000smallq\004K\005X\003\000\000\000i16q\005M\350\003X\003\000\000\000i32q\006J\220"
    "\356\376\377X\003\000\000\000i64q\007\212\006\000\000\000\000\000\001X\005\000\000\000min64q\010"
    "\212\010\000\000\000\000\000\000\000\200X\003\000\000\000u64q\011\212\011\377\377\377\377\377\377"
    "\377\377\000X\003\000\000\000bigq\012\212\015\000\000\000\000\000\000\000\000\000\000\000\000\020"
    "X\006\000\000\000negbigq\013\212\015\375\377\377\377\377\377\377\377\377\377\377\377\357X\005\000"
    "\000\000floatq\014G\077\370\000\000\000\000\000\000X\004\000\000\000negfq\015G\277\320\000\000\000"
    "\000\000\000X\005\000\000\000wholeq\016G@\000\000\000\000\000\000\000X\003\000\000\000strq\017X\012"
    "\000\000\000h\303\251llo \342\202\254q\020X\010\000\000\000long_strq\021X,\001\000\000xxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxq\022X\005\000\000\000bytesq\023c_codecs\012encode\012q\024X\003\000\000\000\000\303\277q\025X"
    "\006\000\000\000latin1q\026\206q\027Rq\030X\013\000\000\000empty_bytesq\031c__builtin__\012bytes"
    "\012q\032)Rq\033X\004\000\000\000listq\034]q\035(K\001]q\036(K\002K\003e]q\037eX\005\000\000\000"
    "tupleq K\001X\001\000\000\000aq!\206q\042X\002\000\000\000t0q#)X\002\000\000\000t4q$(K\001K\002K"
    "\003K\004tq%X\004\000\000\000dictq&}q'(K\001X\003\000\000\000oneq(K\002K\003\206q)X\004\000\000\000"
    "pairq*uX\003\000\000\000setq+c__builtin__\012set\012q,]q-(K\001K\002e\205q.Rq/X\002\000\000\000f"
    "sq0c__builtin__\012frozenset\012q1]q2h!a\205q3Rq4X\002\000\000\000esq5h,]q6\205q7Rq8X\010\000\000"
    "\000shared_aq9]q:K\001aX\010\000\000\000shared_bq;h:X\006\000\000\000dollarq<}q=X\002\000\000\000"
    "$xq>K\001sX\006\000\000\000nestedq\077}q@h!}qAX\001\000\000\000bqB]qC}qDX\001\000\000\000cqENsas"
    "su.";
// pickle.dumps(composite, protocol=3) on CPython 3.11
constexpr char composite_p3[] =
    "\200\003}q\000(X\004\000\000\000noneq\001NX\001\000\000\000tq\002\210X\001\000\000\000fq\003\211"
    "X\005\000\000\000smallq\004K\005X\003\000\000\000i16q\005M\350\003X\003\000\000\000i32q\006J\220"
    "\356\376\377X\003\000\000\000i64q\007\212\006\000\000\000\000\000\001X\005\000\000\000min64q\010"
    "\212\010\000\000\000\000\000\000\000\200X\003\000\000\000u64q\011\212\011\377\377\377\377\377\377"
    "\377\377\000X\003\000\000\000bigq\012\212\015\000\000\000\000\000\000\000\000\000\000\000\000\020"
    "X\006\000\000\000negbigq\013\212\015\375\377\377\377\377\377\377\377\377\377\377\377\357X\005\000"
    "\000\000floatq\014G\077\370\000\000\000\000\000\000X\004\000\000\000negfq\015G\277\320\000\000\000"
    "\000\000\000X\005\000\000\000wholeq\016G@\000\000\000\000\000\000\000X\003\000\000\000strq\017X\012"
    "\000\000\000h\303\251llo \342\202\254q\020X\010\000\000\000long_strq\021X,\001\000\000xxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxq\022X\005\000\000\000bytesq\023C\002\000\377q\024X\013\000\000\000empty_bytesq\025C\000q\026X"
    "\004\000\000\000listq\027]q\030(K\001]q\031(K\002K\003e]q\032eX\005\000\000\000tupleq\033K\001X\001"
    "\000\000\000aq\034\206q\035X\002\000\000\000t0q\036)X\002\000\000\000t4q\037(K\001K\002K\003K\004"
    "tq X\004\000\000\000dictq!}q\042(K\001X\003\000\000\000oneq#K\002K\003\206q$X\004\000\000\000pai"
    "rq%uX\003\000\000\000setq&cbuiltins\012set\012q']q((K\001K\002e\205q)Rq*X\002\000\000\000fsq+cbu"
    "iltins\012frozenset\012q,]q-h\034a\205q.Rq/X\002\000\000\000esq0h']q1\205q2Rq3X\010\000\000\000s"
    "hared_aq4]q5K\001aX\010\000\000\000shared_bq6h5X\006\000\000\000dollarq7}q8X\002\000\000\000$xq9"
    "K\001sX\006\000\000\000nestedq:}q;h\034}q<X\001\000\000\000bq=]q>}q\077X\001\000\000\000cq@Nsass"
    "u.";
// pickle.dumps(composite, protocol=4) on CPython 3.11
constexpr char composite_p4[] =
    "\200\004\225\377\002\000\000\000\000\000\000}\224(\214\004none\224N\214\001t\224\210\214\001f\224"
    "\211\214\005small\224K\005\214\003i16\224M\350\003\214\003i32\224J\220\356\376\377\214\003i64\224"
    "\212\006\000\000\000\000\000\001\214\005min64\224\212\010\000\000\000\000\000\000\000\200\214\003"
    "u64\224\212\011\377\377\377\377\377\377\377\377\000\214\003big\224\212\015\000\000\000\000\000\000"
    "\000\000\000\000\000\000\020\214\006negbig\224\212\015\375\377\377\377\377\377\377\377\377\377\377"
    "\377\357\214\005float\224G\077\370\000\000\000\000\000\000\214\004negf\224G\277\320\000\000\000\000"
    "\000\000\214\005whole\224G@\000\000\000\000\000\000\000\214\003str\224\214\012h\303\251llo \342\202"
    "\254\224\214\010long_str\224X,\001\000\000xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\224\214\005bytes\224C\002\000\377\224\214"
    "\013empty_bytes\224C\000\224\214\004list\224]\224(K\001]\224(K\002K\003e]\224e\214\005tuple\224K"
    "\001\214\001a\224\206\224\214\002t0\224)\214\002t4\224(K\001K\002K\003K\004t\224\214\004dict\224"
    "}\224(K\001\214\003one\224K\002K\003\206\224\214\004pair\224u\214\003set\224\217\224(K\001K\002\220"
    "\214\002fs\224(h\034\221\224\214\002es\224\217\224\214\010shared_a\224]\224K\001a\214\010shared_"
    "b\224h-\214\006dollar\224}\224\214\002$x\224K\001s\214\006nested\224}\224h\034}\224\214\001b\224"
    "]\224}\224\214\001c\224Nsassu.";
// pickle.dumps(composite, protocol=5) on CPython 3.11: the same opcodes as protocol 4 (protocol 5
// adds only out-of-band buffers, which the composite has none of), PROTO 5 the one byte apart.
std::string composite_p5() {
  std::string bytes(bytes_of(composite_p4));
  bytes[1] = '\005';
  return bytes;
}

json composite_json() {
  json j = json::parse(R"({
    "none": null, "t": true, "f": false, "small": 5, "i16": 1000, "i32": -70000,
    "i64": 1099511627776, "min64": -9223372036854775808, "u64": 18446744073709551615,
    "big": {"$int": "1267650600228229401496703205376"},
    "negbig": {"$int": "-1267650600228229401496703205379"},
    "float": 1.5, "negf": -0.25, "whole": 2.0, "str": "h\u00e9llo \u20ac",
    "bytes": {"$bytes": "AP8="}, "empty_bytes": {"$bytes": ""},
    "list": [1, [2, 3], []], "tuple": {"$tuple": [1, "a"]}, "t0": {"$tuple": []},
    "t4": {"$tuple": [1, 2, 3, 4]},
    "dict": {"$dict": [[1, "one"], [{"$tuple": [2, 3]}, "pair"]]},
    "set": {"$set": [1, 2]}, "fs": {"$frozenset": ["a"]}, "es": {"$set": []},
    "shared_a": [1], "shared_b": [1],
    "dollar": {"$dict": [["$x", 1]]},
    "nested": {"a": {"b": [{"c": null}]}}
  })");
  j["long_str"] = std::string(300, 'x');
  return j;
}

TEST(pickle_codec, decodes_protocol_2) { EXPECT_EQ(pickle_to_json(bytes_of(composite_p2)), composite_json()); }
TEST(pickle_codec, decodes_protocol_3) { EXPECT_EQ(pickle_to_json(bytes_of(composite_p3)), composite_json()); }
TEST(pickle_codec, decodes_protocol_4) { EXPECT_EQ(pickle_to_json(bytes_of(composite_p4)), composite_json()); }
TEST(pickle_codec, decodes_protocol_5) { EXPECT_EQ(pickle_to_json(composite_p5()), composite_json()); }

TEST(pickle_codec, float_types_survive) {
  json j = pickle_to_json(bytes_of(composite_p4));
  EXPECT_TRUE(j["whole"].is_number_float());
  EXPECT_TRUE(j["small"].is_number_integer());
  EXPECT_TRUE(j["u64"].is_number_unsigned());
}

TEST(pickle_codec, encode_decode_round_trip) {
  json j = composite_json();
  EXPECT_EQ(pickle_to_json(json_to_pickle(j)), j);
}

TEST(pickle_codec, round_trips_edge_values) {
  for (const char* text : {
           "null", "0", "255", "256", "65535", "65536", "-1", "-128", "-129", "2147483647", "2147483648",
           "-2147483648", "-2147483649", "9223372036854775807", "-9223372036854775808",
           "9223372036854775808", "18446744073709551615", "1e300", "-0.0", "\"\"", "[]", "{}",
           R"({"$int": "18446744073709551616"})", R"({"$int": "-18446744073709551617"})",
           R"({"$int": "340282366920938463463374607431768211456"})", R"({"$float": "nan"})",
           R"({"$float": "-inf"})", R"({"$set": [{"$tuple": [1, {"$frozenset": [2]}]}]})",
           R"({"$frozenset": []})", R"({"$dict": []})", R"({"$dict": [[null, 1], [true, 2], [1.5, 3]]})",
           R"({"$dict": [["$only", {"$dict": [["$nested", 1]]}]]})", R"({"a": 1, "$b": 2})",
       }) {
    json j = json::parse(text);
    json back = pickle_to_json(json_to_pickle(j));
    if (j.is_object() && j.contains("$dict") && j["$dict"].empty()) {
      EXPECT_EQ(back, json::object()) << text;  // an empty dict is just {}
    } else {
      EXPECT_EQ(back, j) << text;
    }
  }
}

TEST(pickle_codec, big_strings_and_bytes_use_long_forms) {
  json j = {{"s", std::string(70000, 'y')}, {"b", {{"$bytes", std::string(4000, 'A')}}}};
  EXPECT_EQ(pickle_to_json(json_to_pickle(j)), j);
}

TEST(pickle_codec, dict_keys_in_encoding_are_escaped_only_when_alone) {
  // {"$x": 1} read from a pickle is escaped; two keys are unambiguous and stay plain.
  json two = {{"$a", 1}, {"$b", 2}};
  EXPECT_EQ(pickle_to_json(json_to_pickle(two)), two);
}

std::string decode_error(std::string_view bytes) {
  try {
    pickle_to_json(bytes);
  } catch (const state_validation_error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return {};
}

std::string encode_error(const json& j) {
  try {
    json_to_pickle(j);
  } catch (const state_validation_error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for " << j.dump();
  return {};
}

TEST(pickle_codec_errors, values_nested_deeper_than_the_state_allows_are_refused) {
  // A stored value sits four levels down its State (state.stored_state[i].content is level 4):
  // its lists may reach level 100.
  auto nested = [](int levels) {
    json value = 1;
    for (int i = 0; i < levels; ++i) value = json::array({std::move(value)});
    return value;
  };
  json ok = {{"a", nested(state::max_nesting_depth - 4)}};
  EXPECT_EQ(pickle_to_json(json_to_pickle(ok)), ok);
  json deep = {{"a", nested(state::max_nesting_depth - 3)}};
  EXPECT_THAT(encode_error(deep), HasSubstr("nested deeper than 100 levels"));
  // Decoding: a pickle of the deep value, written by hand (EMPTY_LIST ... APPEND per level).
  std::string bytes("\x80\x04}X\x01\x00\x00\x00" "a", 9);
  for (int i = 0; i < 200; ++i) bytes += "]";
  bytes += "K\x01";
  for (int i = 0; i < 200; ++i) bytes += "a";
  bytes += "s.";
  EXPECT_THAT(decode_error(bytes), HasSubstr("nested deeper than 100 levels"));
}

TEST(pickle_codec_errors, arbitrary_global_is_rejected) {
  // pickle.dumps(collections.OrderedDict(), protocol=2)
  constexpr char ordered_dict[] = "\200\002ccollections\nOrderedDict\nq\000)Rq\001.";
  std::string m = decode_error(bytes_of(ordered_dict));
  EXPECT_THAT(m, HasSubstr("GLOBAL"));
  EXPECT_THAT(m, HasSubstr("'collections.OrderedDict' is not supported"));
}

TEST(pickle_codec_errors, stack_global_of_a_class_is_rejected) {
  // pickle.dumps(datetime.date(2020, 1, 2), protocol=4)
  constexpr char date[] =
      "\200\004\225 \000\000\000\000\000\000\000\214\010datetime\224\214\004date\224\223\224C\004\007\344\001"
      "\002\224\205\224R\224.";
  std::string m = decode_error(bytes_of(date));
  EXPECT_THAT(m, HasSubstr("STACK_GLOBAL"));
  EXPECT_THAT(m, HasSubstr("datetime.date"));
}

TEST(pickle_codec_errors, refused_pickles_name_the_opcode_or_the_reason) {
  using namespace std::literals;
  const std::vector<std::pair<std::string_view, std::string>> cases{
      {"\200\004}\224}b."sv, "opcode BUILD (0x62) at byte 5"},
      {"\200\005\227."sv, "NEXT_BUFFER"},             // an out-of-band buffer
      {"\200\004\214\005ab"sv, "SHORT_BINUNICODE"},   // truncated inside an opcode
      {"\200\004N"sv, "truncated"},                  // no STOP
      {"\200\002h\007."sv, "BINGET"},                 // a memo entry never put
      {"\200\011N."sv, "protocol 9"},
  };
  for (const auto& [pickle, message] : cases) EXPECT_THAT(decode_error(pickle), HasSubstr(message)) << message;
}

TEST(pickle_codec_errors, unknown_tag_on_encode) {
  EXPECT_THAT(encode_error(json::parse(R"({"a": {"$list": [1]}})")), HasSubstr("value['a']: unknown tag '$list'"));
}

TEST(pickle_codec_errors, unhashable_set_member) {
  EXPECT_THAT(encode_error(json::parse(R"({"$set": [[1]]})")), HasSubstr("value.$set[0]: set members must be hashable"));
}

TEST(pickle_codec_errors, unhashable_dict_key) {
  EXPECT_THAT(encode_error(json::parse(R"({"$dict": [[{"$set": []}, 1]]})")),
              HasSubstr("value.$dict[0][0]: dict keys must be hashable"));
}

TEST(pickle_codec_errors, bad_tag_shapes) {
  EXPECT_THAT(encode_error(json::parse(R"({"$bytes": "***"})")), HasSubstr("not valid base64"));
  EXPECT_THAT(encode_error(json::parse(R"({"$int": "12a"})")), HasSubstr("not a decimal integer"));
  EXPECT_THAT(encode_error(json::parse(R"({"$tuple": 1})")), HasSubstr("$tuple takes a list"));
  EXPECT_THAT(encode_error(json::parse(R"({"$dict": [[1]]})")), HasSubstr("[key, value] pair"));
  EXPECT_THAT(encode_error(json::parse(R"({"$float": "big"})")), HasSubstr("$float takes"));
}

// Damaged input must end in state_validation_error (or a value), never a crash or another exception.
TEST(pickle_codec_errors, corrupted_pickles_fail_cleanly) {
  std::string base(bytes_of(composite_p4));
  byte_damage damage(12345);
  int rejected = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string data = base;
    damage.overwrite(data, 1 + static_cast<int>(damage.next() % 4));
    if (round % 5 == 0) data.resize(damage.next() % data.size());
    try {
      pickle_to_json(data);
    } catch (const state_validation_error&) {
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 100);
}

}  // namespace
}  // namespace scenario::store
