//go:build tools

// Package tools pins the Hyperledger Fabric release whose commands
// (peer, orderer, configtxgen, cryptogen, osnadmin) scripts/install-fabric.sh
// builds from the Go module proxy. Nothing here is compiled into the project.
package tools

import (
	_ "github.com/hyperledger/fabric/cmd/configtxgen"
	_ "github.com/hyperledger/fabric/cmd/cryptogen"
	_ "github.com/hyperledger/fabric/cmd/orderer"
	_ "github.com/hyperledger/fabric/cmd/osnadmin"
	_ "github.com/hyperledger/fabric/cmd/peer"
)
