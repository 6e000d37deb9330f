// Erlang nodes are heavy on a 2-core machine, and every test class shares one EPMD port: run classes one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
