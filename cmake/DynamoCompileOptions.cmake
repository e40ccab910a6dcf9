# Warning and sanitizer flags for dynamo's own targets. They are PRIVATE so that a project that
# links dynamo never inherits -Werror or a sanitizer it did not ask for.
function(dynamo_compile_options target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow)
    if(DYNAMO_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
  if(DYNAMO_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=${DYNAMO_SANITIZE} -fno-omit-frame-pointer
                                             -fno-sanitize-recover=all)
    # Lets a measurement test choose a smaller size where every operation is far slower.
    target_compile_definitions(${target} PRIVATE DYNAMO_SANITIZED)
    target_link_options(${target} PRIVATE -fsanitize=${DYNAMO_SANITIZE})
  endif()
endfunction()
