// CSV (RFC 4180 quoting) and TSV (plain tab-separated, as in Conceptual
// Captions, where quotes are literal text) inputs. A header row naming an
// image column is required unless --columns gives the layout.
#include <algorithm>
#include <filesystem>

#include "tools/pipeline/file_io.h"
#include "tools/pipeline/input_list.h"

namespace fs = std::filesystem;

namespace clipsearch {

namespace {

struct Row {
  size_t line = 0;  // 1-based line where the row starts
  std::vector<std::string> cells;
};

// Splits the text into rows; blank lines are dropped. `quoted` enables CSV
// quoting ("a, b" and "" for a literal quote, newlines inside quotes).
std::vector<Row> split_rows(const std::string& text, char sep, bool quoted) {
  std::vector<Row> rows;
  Row row;
  std::string cell;
  size_t line = 1;
  bool in_quotes = false, row_has_content = false;
  row.line = 1;
  auto end_cell = [&] {
    row.cells.push_back(std::move(cell));
    cell.clear();
  };
  auto end_row = [&] {
    end_cell();
    if (row_has_content) rows.push_back(std::move(row));
    row = Row{};
    row.line = line;
    row_has_content = false;
  };
  size_t i = 0;
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) i = 3;  // UTF-8 byte order mark
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      } else {
        if (c == '\n') ++line;
        cell += c;
      }
      continue;
    }
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    if (c == '\n') {
      ++line;
      end_row();
    } else if (c == sep) {
      end_cell();
      row_has_content = true;
    } else if (quoted && c == '"' && cell.empty()) {
      in_quotes = true;
      row_has_content = true;
    } else {
      cell += c;
      if (c != ' ' && c != '\t') row_has_content = true;
    }
  }
  end_row();
  return rows;
}

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  const size_t b = s.find_last_not_of(" \t\r");
  return s.substr(a, b - a + 1);
}

}  // namespace

clip::Result<InputList> read_table(const std::string& file, char sep, const InputOptions& options) {
  auto text = read_text_file(file);
  CLIP_TRY(text);
  InputList list;
  list.kind = sep == ',' ? "csv" : "tsv";
  std::vector<Row> rows = split_rows(*text, sep, sep == ',');
  const std::string name = fs::path(file).filename().string();
  const std::string base_dir = fs::path(file).parent_path().string();

  std::vector<Field> layout;
  size_t first_data = 0;
  if (!options.columns.empty()) {
    for (const auto& c : options.columns) layout.push_back(field_for_name(c));
  } else if (!rows.empty()) {
    for (const auto& c : rows[0].cells) layout.push_back(field_for_name(trim(c)));
    first_data = 1;
  }
  if (std::count(layout.begin(), layout.end(), Field::Image) != 1) {
    if (!options.columns.empty())
      return clip::make_error("--columns must name exactly one image column (path, file, image_path, url or image_url)");
    return clip::make_error(file + ": the first row does not name one image column (path, file, image_path, url "
                            "or image_url); for a file without a header pass --columns, e.g. --columns caption,url");
  }

  for (size_t r = first_data; r < rows.size(); ++r) {
    const Row& row = rows[r];
    std::string image, caption, id;
    for (size_t c = 0; c < layout.size() && c < row.cells.size(); ++c) {
      const std::string v = trim(row.cells[c]);
      if (layout[c] == Field::Image) image = v;
      if (layout[c] == Field::Caption) caption = v;
      if (layout[c] == Field::Id) id = v;
    }
    const std::string origin = name + ":" + std::to_string(row.line);
    if (image.empty()) {
      list.skipped.push_back({id, "", origin, "row has no image path or URL"});
      continue;
    }
    list.items.push_back(make_item(image, caption, id, base_dir, origin));
  }
  return list;
}

}  // namespace clipsearch
