#pragma once

#include "OrthancPlugin/TaskReference.h"
#include "dicom/MatchRules.h"
#include "dicom/SegmentDescription.h"

#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace iris::plugin
{
class InvalidTask : public std::invalid_argument
{
public:
  using std::invalid_argument::invalid_argument;
};

// One class a task segments; its position in the task's list is its output segment number - 1.
struct TaskClass
{
  std::string name;
  std::optional<std::string> memoryBankClass; // "<dataset>:<label name>", or a row number
  std::optional<dicom::CodedConcept> category;
  std::optional<dicom::CodedConcept> type;
  std::optional<std::array<uint8_t, 3>> colour; // sRGB
};

// A segmentation task as admins declare it (REST or configuration); the JSON form is
// documented in config/task.schema.json.
struct TaskDefinition
{
  std::string id;
  std::string description;
  bool enabled = true;
  int priority = 0;
  nlohmann::json match = nlohmann::json::object();
  dicom::MatchRules rules;
  std::string strategy = "ensemble";
  // Voxel size the network works at for this task; unset: the model's. Coarser is faster on
  // large fields of view (a 512x512x300 CT at 1 mm needs thousands of sliding windows).
  std::optional<double> spacingMm;
  std::vector<TaskClass> classes;
  // Labelled examples; each maps every class of the task (the network encodes all K together).
  std::vector<TaskReference> references;

  // Throws InvalidTask naming the offending key. `id` is taken from the document unless given.
  static TaskDefinition parse(const nlohmann::json& document, const std::string& id = {});
  nlohmann::json toJson() const;
  // The task as a run with another strategy sees it (a manual run's choice); throws InvalidTask
  // with parse()'s messages when the task cannot take that strategy.
  TaskDefinition withStrategy(const std::string& runStrategy) const;

  // Whether jobs take the memory bank: the memory-bank strategy, or no reference while every
  // class names a memory-bank entry.
  bool usesMemoryBank() const;
};

// The strategies a task or a manual run may name.
bool isKnownStrategy(const std::string& strategy);
// Gives a task document that names no strategy the configured default (Iris.DefaultStrategy), so
// that every stored task states the strategy its jobs use.
void applyDefaultStrategy(nlohmann::json& taskDocument, const std::string& defaultStrategy);

// Task ids appear in URLs and file names: lower-case letters, digits, '.', '_' and '-'.
bool isValidTaskId(const std::string& id);
} // namespace iris::plugin
