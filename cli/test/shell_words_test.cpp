#include "cli/shell_words.hpp"

#include <gtest/gtest.h>

namespace scenario::cli {
namespace {

TEST(ShellWords, SafeWordsStayBare) {
  EXPECT_EQ(shell_quote("relation-get"), "relation-get");
  EXPECT_EQ(shell_quote("key=value"), "key=value");
}

TEST(ShellWords, OtherWordsAreSingleQuoted) {
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("two words"), "'two words'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
}

TEST(ShellWords, SplitUndoesJoin) {
  const std::vector<std::string> words{"status-set", "active", "it's \"fine\" $HOME; ok", "", "a\\b"};
  EXPECT_EQ(shell_split(shell_join(words)), words);
}

TEST(ShellWords, SplitHandlesDoubleQuotesAndBackslashes) {
  EXPECT_EQ(shell_split(R"(a "b c" d\ e "x\"y")"), (std::vector<std::string>{"a", "b c", "d e", "x\"y"}));
}

TEST(ShellWords, SplitRefusesWhatNeedsARealShell) {
  EXPECT_THROW(shell_split("a; b"), std::invalid_argument);
  EXPECT_THROW(shell_split("echo $(id)"), std::invalid_argument);
  EXPECT_THROW(shell_split("'open"), std::invalid_argument);
  EXPECT_THROW(shell_split("\"$HOME\""), std::invalid_argument);
}

}  // namespace
}  // namespace scenario::cli
