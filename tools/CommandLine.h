#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace iris::cli
{
struct Command
{
  std::string name;
  std::string usage;   // arguments after the command name
  std::string summary; // one line for `iris --help`
  std::function<int(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)>
      run;
};

// Each family of subcommands lives in its own file (tools/<Family>Commands.cpp).
std::vector<Command> seriesCommands();   // dicom2nifti, nifti2dicom
std::vector<Command> segCommands();      // nifti2seg, seg2nifti
std::vector<Command> networkCommands();  // import-checkpoint, check-parity
std::vector<Command> pipelineCommands(); // segment
std::vector<Command> reviewCommands();   // dice, montage
std::vector<Command> trainingCommands(); // train, eval

// Every subcommand the `iris` tool offers, in help order.
std::vector<Command> allCommands();

// Option values shared by every subcommand; throw std::invalid_argument naming `what` (the
// option) and the text given.
double parsePositiveNumber(const std::string& text, const std::string& what);
int parsePositiveCount(const std::string& text, const std::string& what);

// Splits `args` into positionals and `--name value` options; unknown options and options
// without a value throw std::invalid_argument.
struct ParsedArgs
{
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> options;
  const std::string* option(const std::string& name) const; // nullptr when not given
};
ParsedArgs parseArgs(const std::vector<std::string>& args, const std::vector<std::string>& known);

// Runs `iris <args...>`; returns the process exit code. Failures print a message to `err`.
int runCommandLine(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
} // namespace iris::cli
