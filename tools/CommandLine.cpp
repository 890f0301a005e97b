#include "tools/CommandLine.h"

#include "iris/Version.h"

#include <algorithm>
#include <exception>
#include <iomanip>
#include <ostream>
#include <stdexcept>

namespace iris::cli
{
namespace
{
constexpr int kUsageError = 2;

void printHelp(std::ostream& out)
{
  out << "iris " << kVersion << ": " << kProductName << " offline tool\n\n"
      << "Usage: iris <command> [arguments]\n"
      << "       iris --help | --version\n\n"
      << "Commands:\n";
  for (const auto& command : allCommands())
  {
    out << "  " << std::left << std::setw(18) << command.name << command.summary << "\n";
  }
  out << "\nRun `iris <command> --help` for a command's arguments.\n";
}
} // namespace

double parsePositiveNumber(const std::string& text, const std::string& what)
{
  size_t used = 0;
  double value = 0.0;
  try
  {
    value = std::stod(text, &used);
  }
  catch (const std::exception&)
  {
    used = 0;
  }
  if (used != text.size() || !(value > 0.0))
  {
    throw std::invalid_argument(what + " must be a positive number, got \"" + text + "\"");
  }
  return value;
}

int parsePositiveCount(const std::string& text, const std::string& what)
{
  const double value = parsePositiveNumber(text, what);
  if (value != static_cast<int>(value))
  {
    throw std::invalid_argument(what + " must be a whole number, got \"" + text + "\"");
  }
  return static_cast<int>(value);
}

const std::string* ParsedArgs::option(const std::string& name) const
{
  for (const auto& [key, value] : options)
    if (key == name)
      return &value;
  return nullptr;
}

ParsedArgs parseArgs(const std::vector<std::string>& args, const std::vector<std::string>& known)
{
  ParsedArgs parsed;
  for (size_t i = 0; i < args.size(); ++i)
  {
    if (args[i].rfind("--", 0) != 0)
    {
      parsed.positional.push_back(args[i]);
      continue;
    }
    if (std::find(known.begin(), known.end(), args[i]) == known.end())
    {
      throw std::invalid_argument("unknown option " + args[i]);
    }
    if (i + 1 >= args.size())
    {
      throw std::invalid_argument(args[i] + " needs a value");
    }
    parsed.options.emplace_back(args[i], args[i + 1]);
    ++i;
  }
  return parsed;
}

std::vector<Command> allCommands()
{
  std::vector<Command> all;
  for (auto family : {seriesCommands, segCommands, networkCommands, pipelineCommands,
                      reviewCommands, trainingCommands})
  {
    auto commands = family();
    all.insert(all.end(), commands.begin(), commands.end());
  }
  return all;
}

int runCommandLine(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)
{
  if (args.empty())
  {
    printHelp(err);
    return kUsageError;
  }
  const std::string& first = args.front();
  if (first == "--help" || first == "-h" || first == "help")
  {
    printHelp(out);
    return 0;
  }
  if (first == "--version" || first == "-V")
  {
    out << "iris " << kVersion << "\n";
    return 0;
  }
  for (const auto& command : allCommands())
  {
    if (command.name != first)
    {
      continue;
    }
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (!rest.empty() && (rest.front() == "--help" || rest.front() == "-h"))
    {
      out << "Usage: iris " << command.name << " " << command.usage << "\n\n"
          << command.summary << "\n";
      return 0;
    }
    try
    {
      return command.run(rest, out, err);
    }
    catch (const std::exception& error)
    {
      err << "iris " << command.name << ": " << error.what() << "\n";
      return 1;
    }
  }
  err << "iris: unknown command \"" << first << "\"\n\n";
  printHelp(err);
  return kUsageError;
}
} // namespace iris::cli
