# Runs check_layers.cmake on the fixture tree ROOT, which breaks the layering on purpose, and
# fails unless the check fails and reports each violation EXPECTED lists ('|'-separated
# substrings of its output). Proves the check can fail, and says what it says when it does.
# Run with cmake -P -DCHECK=<check_layers.cmake> -DROOT=<fixture> -DTABLE=<layers.cmake>.
execute_process(COMMAND ${CMAKE_COMMAND} -DROOT=${ROOT} -DTABLE=${TABLE} -P ${CHECK}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
set(output "${out}${err}")
if(rc EQUAL 0)
  message(FATAL_ERROR "the check passed a tree that breaks the layering:\n${output}")
endif()
string(REPLACE "|" ";" expected "${EXPECTED}")
foreach(text IN LISTS expected)
  string(FIND "${output}" "${text}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the check failed without reporting \"${text}\":\n${output}")
  endif()
endforeach()
message(STATUS "the check failed as it should:\n${output}")
