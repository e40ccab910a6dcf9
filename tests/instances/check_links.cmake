# Fails if PROGRAM needs a shared library whose name matches FORBIDDEN (a regular expression),
# as readelf -d lists them. Run with cmake -P.
execute_process(COMMAND ${READELF} -d ${PROGRAM}
                OUTPUT_VARIABLE dynamic ERROR_VARIABLE errors RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cannot read ${PROGRAM}:\n${errors}")
endif()
string(REGEX MATCHALL "\\(NEEDED\\)[^\n]*" needed "${dynamic}")
set(found "")
foreach(entry IN LISTS needed)
  if(entry MATCHES "${FORBIDDEN}")
    list(APPEND found "${entry}")
  endif()
endforeach()
if(found)
  list(JOIN found "\n  " listing)
  message(FATAL_ERROR "${PROGRAM} links what it does not use:\n  ${listing}")
endif()
message(STATUS "${PROGRAM}: no library matching ${FORBIDDEN} among\n${needed}")
