# dynamo_readme_snippets(<markdown> <harness_dir> <output_dir> <out_var>)
#
# Turns every ```cpp, ```c++ or ```cxx block of <markdown> (any case, indented in a list item
# or not) into one C++ file in <output_dir>, and sets <out_var> to the list of those files, in
# order. None is skipped: a block that is not C++ must use another fence language (```text,
# ```sh, or a bare ```).
#
# A block is a whole program (with its includes and main) unless the last non-blank line before
# its fence is a directive:
#
#   <!-- snippet: harness=H name=N uses=N1,N2 -->
#
#   harness=H  the block is a fragment: it replaces the line "// README snippet" of
#              <harness_dir>/H.cpp, which provides what surrounds it (includes, the enclosing
#              function, the names the harness's comment lists). The fragment's own #include
#              lines go to the top of the file.
#   name=N     the block's declarations may be used by later blocks.
#   uses=N,..  the named earlier blocks replace the harness's line "// README uses" (at
#              namespace scope, before "// README snippet").
#
# (An HTML comment does not show on GitHub.) Every pasted piece starts with a #line directive,
# so the compiler reports errors at the markdown file's lines. A directive that is not followed
# by a ```cpp fence, an unknown key, a missing harness or an unknown name is a configuration
# error, so a block cannot silently drop out of the test.

# Writes content to file only when it differs, so that an unchanged snippet is not rebuilt.
function(_dynamo_write_if_changed file content)
  if(EXISTS "${file}")
    file(READ "${file}" old)
    if(old STREQUAL content)
      return()
    endif()
  endif()
  file(WRITE "${file}" "${content}")
endfunction()

# ';' and brackets would split or join the elements of a CMake list of lines, so lines travel
# escaped and are restored one by one.
function(_dynamo_escape text out_var)
  string(REPLACE ";" "@SEMICOLON@" text "${text}")
  string(REPLACE "[" "@LBRACKET@" text "${text}")
  string(REPLACE "]" "@RBRACKET@" text "${text}")
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

function(_dynamo_unescape text out_var)
  string(REPLACE "@SEMICOLON@" ";" text "${text}")
  string(REPLACE "@LBRACKET@" "[" text "${text}")
  string(REPLACE "@RBRACKET@" "]" text "${text}")
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

# Splits a fenced block's text into its #include lines (each with a #line directive) and the
# rest (starting with one), as two output variables.
function(_dynamo_split_includes body first_line markdown includes_var rest_var)
  set(includes "")
  set(rest "#line ${first_line} \"${markdown}\"\n")
  set(line_no ${first_line})
  _dynamo_escape("${body}" escaped)
  string(REGEX MATCHALL "[^\n]*\n" lines "${escaped}")
  foreach(escaped_line IN LISTS lines)
    _dynamo_unescape("${escaped_line}" line)
    if(line MATCHES "^[ \t]*#[ \t]*include[ \t]")
      string(APPEND includes "#line ${line_no} \"${markdown}\"\n${line}")
      string(APPEND rest "\n")  # keeps the rest's line numbers
    else()
      string(APPEND rest "${line}")
    endif()
    math(EXPR line_no "${line_no} + 1")
  endforeach()
  set(${includes_var} "${includes}" PARENT_SCOPE)
  set(${rest_var} "${rest}" PARENT_SCOPE)
endfunction()

function(dynamo_readme_snippets markdown harness_dir output_dir out_var)
  file(READ "${markdown}" text)
  _dynamo_escape("${text}" text)
  string(REPLACE "\n" ";" lines "${text}")  # one list element per line

  set(files "")
  set(count 0)
  set(line_no 0)
  set(in_block "")        # "", "cpp" or "other"
  set(previous "")        # the last non-blank line outside a block
  set(directive "")
  foreach(raw IN LISTS lines)
    math(EXPR line_no "${line_no} + 1")
    _dynamo_unescape("${raw}" line)
    if(in_block STREQUAL "")
      set(language "")
      if(line MATCHES "^( *)```[ ]*([^ `]*)")
        set(fence_indent "${CMAKE_MATCH_1}")
        string(TOLOWER "${CMAKE_MATCH_2}" language)
      endif()
      if(language MATCHES "^(cpp|c\\+\\+|cxx)$")  # ```cpp, ```C++, ```cpp title=...: all C++
        string(LENGTH "${fence_indent}" indent)
        set(in_block cpp)
        math(EXPR first_line "${line_no} + 1")
        set(body "")
        set(directive "")
        if(previous MATCHES "^ *<!-- snippet: (.*) -->$")
          set(directive "${CMAKE_MATCH_1}")
        endif()
      elseif(line MATCHES "^ *```")
        set(in_block other)
      endif()
      if(previous MATCHES "^ *<!-- snippet:" AND NOT in_block STREQUAL "cpp"
         AND NOT line MATCHES "^ *$")
        message(FATAL_ERROR "${markdown}:${line_no}: a snippet directive must be the last "
                            "non-blank line before a ```cpp fence")
      endif()
      if(NOT line MATCHES "^ *$")
        set(previous "${line}")
      endif()
    elseif(line MATCHES "^ *```[ ]*$")
      if(in_block STREQUAL "cpp")
        math(EXPR count "${count} + 1")
        _dynamo_snippet_file("${markdown}" "${harness_dir}" "${output_dir}" ${count}
                             ${first_line} "${directive}" "${body}" file)
        list(APPEND files "${file}")
      endif()
      set(in_block "")
      set(previous "")
    elseif(in_block STREQUAL "cpp")
      if(indent GREATER 0)  # a block in a list item: drop up to the fence's indentation
        string(REGEX MATCH "^ *" spaces "${line}")
        string(LENGTH "${spaces}" strip)
        if(strip GREATER indent)
          set(strip ${indent})
        endif()
        string(SUBSTRING "${line}" ${strip} -1 line)
      endif()
      string(APPEND body "${line}\n")
    endif()
  endforeach()
  if(NOT in_block STREQUAL "")
    message(FATAL_ERROR "${markdown}: a ``` block is not closed")
  endif()
  if(count EQUAL 0)
    message(FATAL_ERROR "${markdown}: no ```cpp block found")
  endif()
  set(${out_var} "${files}" PARENT_SCOPE)
endfunction()

# Replaces the line <marker> of a harness with <code>, followed by a #line directive that
# returns the compiler to the harness's own line numbers.
function(_dynamo_paste harness_text harness_file marker code out_var)
  string(FIND "${harness_text}" "${marker}\n" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${harness_file}: no line \"${marker}\"")
  endif()
  string(SUBSTRING "${harness_text}" 0 ${at} before)
  string(LENGTH "${marker}\n" marker_length)
  math(EXPR after_at "${at} + ${marker_length}")
  string(SUBSTRING "${harness_text}" ${after_at} -1 after)
  string(REGEX MATCHALL "\n" newlines "${before}")
  list(LENGTH newlines before_lines)
  math(EXPR resume "${before_lines} + 2")
  set(${out_var} "${before}${code}#line ${resume} \"${harness_file}\"\n${after}" PARENT_SCOPE)
endfunction()

# Writes snippet number <index> and sets file_var to its path. Named blocks are remembered in
# global properties for later blocks' uses=.
function(_dynamo_snippet_file markdown harness_dir output_dir index first_line directive body
                              file_var)
  set(harness "")
  set(name "")
  set(uses "")
  string(REPLACE " " ";" pairs "${directive}")
  foreach(pair IN LISTS pairs)
    if(pair MATCHES "^harness=([A-Za-z0-9_]+)$")
      set(harness "${CMAKE_MATCH_1}")
    elseif(pair MATCHES "^name=([A-Za-z0-9_]+)$")
      set(name "${CMAKE_MATCH_1}")
    elseif(pair MATCHES "^uses=([A-Za-z0-9_,]+)$")
      string(REPLACE "," ";" uses "${CMAKE_MATCH_1}")
    elseif(NOT pair STREQUAL "")
      message(FATAL_ERROR "${markdown}:${first_line}: unknown snippet directive '${pair}' "
                          "(harness=, name=, uses=)")
    endif()
  endforeach()

  set(location "${markdown}:${first_line}")
  set(out "${output_dir}/readme_snippet_${index}.cpp")
  if(harness STREQUAL "")
    set(content "// Generated from ${location}: a whole program.\n#line ${first_line} \"${markdown}\"\n${body}")
  else()
    set(harness_file "${harness_dir}/${harness}.cpp")
    if(NOT EXISTS "${harness_file}")
      message(FATAL_ERROR "${location}: no harness ${harness_file}")
    endif()
    file(READ "${harness_file}" harness_text)
    _dynamo_split_includes("${body}" ${first_line} "${markdown}" includes rest)
    set(used "")
    foreach(use IN LISTS uses)
      get_property(known GLOBAL PROPERTY dynamo_snippet_${use} SET)
      if(NOT known)
        message(FATAL_ERROR "${location}: uses=${use}, but no earlier block is name=${use}")
      endif()
      get_property(use_body GLOBAL PROPERTY dynamo_snippet_${use})
      get_property(use_line GLOBAL PROPERTY dynamo_snippet_${use}_line)
      _dynamo_split_includes("${use_body}" ${use_line} "${markdown}" use_includes use_rest)
      string(APPEND includes "${use_includes}")
      string(APPEND used "${use_rest}")
    endforeach()
    # The snippet first: pasting the used blocks does not move the harness's lines before it.
    _dynamo_paste("${harness_text}" "${harness_file}" "// README snippet" "${rest}" pasted)
    if(NOT used STREQUAL "")
      _dynamo_paste("${pasted}" "${harness_file}" "// README uses" "${used}" pasted)
    endif()
    set(content "// Generated from ${location} in harness ${harness_file}.\n${includes}")
    string(APPEND content "#line 1 \"${harness_file}\"\n${pasted}")
  endif()
  if(NOT name STREQUAL "")
    set_property(GLOBAL PROPERTY dynamo_snippet_${name} "${body}")
    set_property(GLOBAL PROPERTY dynamo_snippet_${name}_line ${first_line})
  endif()
  _dynamo_write_if_changed("${out}" "${content}")
  set(${file_var} "${out}" PARENT_SCOPE)
endfunction()
