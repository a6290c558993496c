package protocol

// The generated rampart.pb.go and rampart_grpc.pb.go are committed; regenerate them after
// editing rampart.proto.
//go:generate ./generate.sh
