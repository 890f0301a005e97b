#include "inference/CheckpointPickle.h"

#include "inference/Checkpoint.h"

#include <caffe2/serialize/inline_container.h>
#include <cstring>
#include <map>

namespace iris::inference
{
namespace
{
using Kind = PickleValue::Kind;

PickleValue makeValue(Kind kind)
{
  PickleValue value;
  value.kind = kind;
  if (kind == Kind::List || kind == Kind::Tuple || kind == Kind::Object)
  {
    value.items = std::make_shared<std::vector<PickleValue>>();
  }
  if (kind == Kind::Dict)
  {
    value.entries = std::make_shared<PickleValue::Entries>();
  }
  return value;
}

torch::ScalarType storageDtype(const std::string& storageClass)
{
  static const std::map<std::string, torch::ScalarType> types{
      {"FloatStorage", torch::kFloat}, {"DoubleStorage", torch::kDouble},
      {"HalfStorage", torch::kHalf},   {"BFloat16Storage", torch::kBFloat16},
      {"LongStorage", torch::kLong},   {"IntStorage", torch::kInt},
      {"ShortStorage", torch::kShort}, {"CharStorage", torch::kChar},
      {"ByteStorage", torch::kByte},   {"BoolStorage", torch::kBool},
      {"UntypedStorage", torch::kByte}};
  const auto name = storageClass.substr(storageClass.rfind('.') + 1);
  auto found = types.find(name);
  if (found == types.end())
  {
    throw CheckpointError("unsupported tensor storage type " + storageClass);
  }
  return found->second;
}

class PickleMachine
{
public:
  PickleMachine(caffe2::serialize::PyTorchStreamReader& archive, std::string file)
      : archive_(archive), file_(std::move(file))
  {
  }

  PickleValue run(const char* data, size_t size)
  {
    data_ = data;
    size_ = size;
    while (true)
    {
      const auto opcode = static_cast<uint8_t>(take(1)[0]);
      if (opcode == '.')
      {
        if (stack_.empty())
        {
          fail("empty stack at STOP");
        }
        return stack_.back();
      }
      step(opcode);
    }
  }

private:
  [[noreturn]] void fail(const std::string& what) const
  {
    throw CheckpointError("Cannot read " + file_ + ": " + what + " (pickle byte " +
                          std::to_string(offset_) + ")");
  }

  const char* take(size_t count)
  {
    if (offset_ + count > size_)
    {
      fail("truncated pickle");
    }
    const char* at = data_ + offset_;
    offset_ += count;
    return at;
  }

  template <typename T> T read()
  {
    T value;
    std::memcpy(&value, take(sizeof(T)), sizeof(T));
    return value;
  }

  std::string readLine()
  {
    std::string line;
    for (char c = *take(1); c != '\n'; c = *take(1))
    {
      line.push_back(c);
    }
    return line;
  }

  PickleValue pop()
  {
    if (stack_.empty())
    {
      fail("stack underflow");
    }
    auto value = std::move(stack_.back());
    stack_.pop_back();
    return value;
  }

  std::vector<PickleValue> popToMark()
  {
    if (marks_.empty())
    {
      fail("no MARK");
    }
    const size_t mark = marks_.back();
    marks_.pop_back();
    std::vector<PickleValue> items(std::make_move_iterator(stack_.begin() + mark),
                                   std::make_move_iterator(stack_.end()));
    stack_.resize(mark);
    return items;
  }

  void push(PickleValue value) { stack_.push_back(std::move(value)); }

  PickleValue tuple(std::vector<PickleValue> items)
  {
    auto value = makeValue(Kind::Tuple);
    *value.items = std::move(items);
    return value;
  }

  void pushString(size_t length, Kind kind)
  {
    auto value = makeValue(kind);
    value.text.assign(take(length), length);
    push(std::move(value));
  }

  void pushInt(int64_t integer)
  {
    auto value = makeValue(Kind::Int);
    value.integer = integer;
    push(std::move(value));
  }

  void pushLong(size_t bytes)
  {
    if (bytes > 8)
    {
      fail("integer wider than 64 bits");
    }
    const char* raw = take(bytes);
    uint64_t unsignedValue = 0;
    for (size_t i = 0; i < bytes; ++i)
    {
      unsignedValue |= static_cast<uint64_t>(static_cast<uint8_t>(raw[i])) << (8 * i);
    }
    if (bytes > 0 && bytes < 8 && (static_cast<uint8_t>(raw[bytes - 1]) & 0x80))
    {
      unsignedValue |= ~uint64_t{0} << (8 * bytes); // sign-extend
    }
    pushInt(static_cast<int64_t>(unsignedValue));
  }

  void memoize(size_t index)
  {
    if (stack_.empty())
    {
      fail("memoize on an empty stack");
    }
    memo_[index] = stack_.back();
  }

  void recall(size_t index)
  {
    auto found = memo_.find(index);
    if (found == memo_.end())
    {
      fail("unknown memo entry " + std::to_string(index));
    }
    push(found->second);
  }

  void setItems(std::vector<PickleValue> flat)
  {
    auto& target = stack_.back();
    if (target.kind == Kind::Object)
    {
      return; // items of an unknown mapping class: not needed
    }
    if (target.kind != Kind::Dict || flat.size() % 2 != 0)
    {
      fail("SETITEMS on a " + target.describe());
    }
    for (size_t i = 0; i < flat.size(); i += 2)
    {
      target.entries->emplace_back(std::move(flat[i]), std::move(flat[i + 1]));
    }
  }

  void appendItems(std::vector<PickleValue> items)
  {
    auto& target = stack_.back();
    if (target.kind != Kind::List && target.kind != Kind::Object)
    {
      fail("APPENDS on a " + target.describe());
    }
    target.items->insert(target.items->end(), items.begin(), items.end());
  }

  torch::Tensor loadStorage(const PickleValue& id)
  {
    if (id.kind != Kind::Tuple || id.items->size() < 5 || (*id.items)[0].text != "storage")
    {
      fail("unsupported persistent id");
    }
    const auto& key = (*id.items)[2].text;
    auto cached = storages_.find(key);
    if (cached != storages_.end())
    {
      return cached->second;
    }
    const auto dtype = storageDtype((*id.items)[1].text);
    const std::string record = "data/" + key;
    if (!archive_.hasRecord(record))
    {
      fail("missing tensor record " + record);
    }
    auto [bytes, size] = archive_.getRecord(record);
    const auto elementSize = c10::elementSize(dtype);
    auto storage = torch::empty({static_cast<int64_t>(size / elementSize)}, dtype);
    std::memcpy(storage.data_ptr(), bytes.get(), storage.numel() * elementSize);
    storages_.emplace(key, storage);
    return storage;
  }

  PickleValue rebuildTensor(const std::vector<PickleValue>& args)
  {
    if (args.size() < 4 || args[0].kind != Kind::Tensor)
    {
      fail("malformed tensor");
    }
    auto toSizes = [&](const PickleValue& value)
    {
      std::vector<int64_t> sizes;
      for (const auto& item : *value.items)
      {
        sizes.push_back(item.integer);
      }
      return sizes;
    };
    auto value = makeValue(Kind::Tensor);
    value.tensor = args[0].tensor.as_strided(toSizes(args[2]), toSizes(args[3]), args[1].integer);
    return value;
  }

  PickleValue reduce(const PickleValue& callable, const PickleValue& args)
  {
    const auto& name = callable.text;
    const auto& list = args.items ? *args.items : std::vector<PickleValue>{};
    if (name == "collections.OrderedDict" || name == "builtins.dict")
    {
      return makeValue(Kind::Dict);
    }
    if (name == "torch._utils._rebuild_tensor_v2" || name == "torch._utils._rebuild_tensor")
    {
      return rebuildTensor(list);
    }
    if ((name == "torch._utils._rebuild_parameter" ||
         name == "torch._utils._rebuild_parameter_with_state" ||
         name == "torch.jit._pickle.restore_type_tag") &&
        !list.empty())
    {
      return list[0];
    }
    auto object = makeValue(Kind::Object);
    object.text = name;
    *object.items = list;
    return object;
  }

  void step(uint8_t opcode)
  {
    switch (opcode)
    {
    case 0x80:
      take(1);
      break; // PROTO
    case 0x95:
      take(8);
      break; // FRAME
    case '}':
      push(makeValue(Kind::Dict));
      break;
    case ']':
      push(makeValue(Kind::List));
      break;
    case ')':
      push(makeValue(Kind::Tuple));
      break;
    case '(':
      marks_.push_back(stack_.size());
      break;
    case 'q':
      memoize(read<uint8_t>());
      break;
    case 'r':
      memoize(read<uint32_t>());
      break;
    case 0x94:
      memoize(memo_.size());
      break;
    case 'h':
      recall(read<uint8_t>());
      break;
    case 'j':
      recall(read<uint32_t>());
      break;
    case 'X':
      pushString(read<uint32_t>(), Kind::String);
      break;
    case 0x8c:
      pushString(read<uint8_t>(), Kind::String);
      break;
    case 0x8d:
      pushString(read<uint64_t>(), Kind::String);
      break;
    case 'B':
      pushString(read<uint32_t>(), Kind::Bytes);
      break;
    case 'C':
      pushString(read<uint8_t>(), Kind::Bytes);
      break;
    case 0x8e:
      pushString(read<uint64_t>(), Kind::Bytes);
      break;
    case 'K':
      pushInt(read<uint8_t>());
      break;
    case 'M':
      pushInt(read<uint16_t>());
      break;
    case 'J':
      pushInt(read<int32_t>());
      break;
    case 0x8a:
      pushLong(read<uint8_t>());
      break;
    case 0x8b:
      pushLong(read<uint32_t>());
      break;
    case 'G':
    {
      uint64_t bits = 0;
      const char* raw = take(8);
      for (int i = 0; i < 8; ++i)
      {
        bits = (bits << 8) | static_cast<uint8_t>(raw[i]); // big-endian
      }
      auto value = makeValue(Kind::Float);
      std::memcpy(&value.real, &bits, sizeof(double));
      push(std::move(value));
      break;
    }
    case 'N':
      push(makeValue(Kind::None));
      break;
    case 0x88:
    case 0x89:
    {
      auto value = makeValue(Kind::Bool);
      value.boolean = opcode == 0x88;
      push(std::move(value));
      break;
    }
    case 't':
      push(tuple(popToMark()));
      break;
    case 0x85:
    case 0x86:
    case 0x87:
    {
      std::vector<PickleValue> items(opcode - 0x84);
      for (auto item = items.rbegin(); item != items.rend(); ++item)
      {
        *item = pop();
      }
      push(tuple(std::move(items)));
      break;
    }
    case 'a':
    {
      auto item = pop();
      appendItems({std::move(item)});
      break;
    }
    case 'e':
      appendItems(popToMark());
      break;
    case 's':
    {
      auto value = pop();
      auto key = pop();
      setItems({std::move(key), std::move(value)});
      break;
    }
    case 'u':
      setItems(popToMark());
      break;
    case 'c':
    {
      auto global = makeValue(Kind::Global);
      global.text = readLine();
      global.text += "." + readLine();
      push(std::move(global));
      break;
    }
    case 0x93:
    {
      auto name = pop();
      auto module = pop();
      auto global = makeValue(Kind::Global);
      global.text = module.text + "." + name.text;
      push(std::move(global));
      break;
    }
    case 'R':
    case 0x81:
    {
      auto args = pop();
      auto callable = pop();
      push(reduce(callable, args));
      break;
    }
    case 'b':
    {
      auto state = pop();
      if (stack_.empty())
      {
        fail("BUILD on an empty stack");
      }
      if (stack_.back().kind == Kind::Object)
      {
        stack_.back().state = std::make_shared<PickleValue>(std::move(state));
      }
      break; // state of dicts (state_dict._metadata) and tensors is not needed
    }
    case 'Q':
    {
      auto id = pop();
      auto value = makeValue(Kind::Tensor);
      value.tensor = loadStorage(id);
      push(std::move(value));
      break;
    }
    default:
      fail("unsupported pickle opcode 0x" +
           [&]
           {
             char hex[3];
             std::snprintf(hex, sizeof(hex), "%02x", opcode);
             return std::string(hex);
           }());
    }
  }

  caffe2::serialize::PyTorchStreamReader& archive_;
  std::string file_;
  const char* data_ = nullptr;
  size_t size_ = 0;
  size_t offset_ = 0;
  std::vector<PickleValue> stack_;
  std::vector<size_t> marks_;
  std::map<size_t, PickleValue> memo_;
  std::map<std::string, torch::Tensor> storages_;
};
} // namespace

const PickleValue* PickleValue::find(const std::string& key) const
{
  if (kind != Kind::Dict)
  {
    return nullptr;
  }
  for (const auto& [entryKey, value] : *entries)
  {
    if (entryKey.kind == Kind::String && entryKey.text == key)
    {
      return &value;
    }
  }
  return nullptr;
}

std::string PickleValue::describe() const
{
  static const char* names[] = {"None", "bool",  "int",  "float",  "str",    "bytes",
                                "list", "tuple", "dict", "tensor", "global", "object"};
  auto name = std::string(names[static_cast<int>(kind)]);
  return kind == Kind::Object || kind == Kind::Global ? name + " " + text : name;
}

PickleValue readTorchPickle(const std::filesystem::path& path)
{
  if (!std::filesystem::is_regular_file(path))
  {
    throw CheckpointError("Checkpoint " + path.string() + " does not exist or is not a file");
  }
  try
  {
    caffe2::serialize::PyTorchStreamReader archive(path.string());
    if (!archive.hasRecord("data.pkl"))
    {
      throw CheckpointError(path.string() + " is a zip archive without data.pkl: not a torch.save "
                                            "file (a TorchScript module?)");
    }
    auto [bytes, size] = archive.getRecord("data.pkl");
    PickleMachine machine(archive, path.string());
    return machine.run(static_cast<const char*>(bytes.get()), size);
  }
  catch (const c10::Error& error)
  {
    throw CheckpointError("Cannot read " + path.string() +
                          " as a zip-format torch.save file (legacy pre-1.6 files are not "
                          "supported): " +
                          error.what_without_backtrace());
  }
}
} // namespace iris::inference
