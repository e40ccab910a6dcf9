# Builds and runs the consumer project against dynamo, in MODE find_package or add_subdirectory.
file(REMOVE_RECURSE ${WORK_DIR})
set(configure_args -S ${CONSUMER_DIR} -B ${WORK_DIR}/build -G ${GENERATOR}
                   -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_BUILD_TYPE=Release)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}")
  endif()
endfunction()

if(MODE STREQUAL "find_package")
  run(${CMAKE_COMMAND} --install ${DYNAMO_BINARY_DIR} --prefix ${WORK_DIR}/prefix)
  run(${CMAKE_COMMAND} ${configure_args} -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix
      -DCONSUME_WITH=find_package)
else()
  run(${CMAKE_COMMAND} ${configure_args} -DCONSUME_WITH=add_subdirectory
      -DDYNAMO_SOURCE_DIR=${DYNAMO_SOURCE_DIR})
endif()
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/consumer)
if(MODE STREQUAL "find_package")
  run(${WORK_DIR}/build/consumer_tcp)
  run(${WORK_DIR}/build/consumer_umbrella)
endif()
